// A readable preview of a five-field cron expression (UTC), for the schedule editor.
// It covers the forms stewards use (numbers, *, lists, ranges, steps); anything else is described field by field.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

const pad = (n) => String(n).padStart(2, '0');

function part(value, unit, names) {
    const name = (n) => (names ? names[Number(n)] ?? n : n);
    return value.split(',').map((piece) => {
        const [range, step] = piece.split('/');
        if (range === '*') return step ? `every ${step} ${unit}s` : `every ${unit}`;
        if (range.includes('-')) {
            const [a, b] = range.split('-');
            return `${step ? `every ${step} ${unit}s ` : ''}from ${name(a)} to ${name(b)}`;
        }
        return step ? `every ${step} ${unit}s from ${name(range)}` : `${name(range)}`;
    }).join(' and ');
}

/** Returns { ok, text }: text is an English sentence, or why the expression cannot be read. */
export function describeCron(expression) {
    const fields = (expression ?? '').trim().split(/\s+/);
    if (fields.length !== 5 || fields[0] === '') {
        return { ok: false, text: 'A cron has five fields: minute hour day-of-month month day-of-week (UTC), e.g. "0 3 * * *".' };
    }
    const bad = fields.findIndex((f) => !FIELD.test(f));
    if (bad >= 0) {
        return { ok: false, text: `Field ${bad + 1} ("${fields[bad]}") is not a number, *, list, range or step.` };
    }
    const [minute, hour, dom, month, dow] = fields;
    let when;
    if (/^\d+$/.test(minute) && /^\d+$/.test(hour)) when = `at ${pad(hour)}:${pad(minute)} UTC`;
    else if (/^\d+$/.test(minute) && hour === '*') when = `at minute ${minute} of every hour`;
    else if (minute.startsWith('*/') && hour === '*') when = `every ${minute.slice(2)} minutes`;
    else if (minute === '*' && hour === '*') when = 'every minute';
    else when = `at minute ${part(minute, 'minute')} past hour ${part(hour, 'hour')} (UTC)`;

    const days = [];
    if (dom !== '*') days.push(`on day ${part(dom, 'day')} of the month`);
    if (month !== '*') days.push(`in ${part(month, 'month', MONTHS)}`);
    if (dow !== '*') days.push(`on ${part(dow, 'weekday', DAYS)}`);
    const sentence = `${when}${days.length ? `, ${days.join(', ')}` : ', every day'}`;
    return { ok: true, text: sentence.charAt(0).toUpperCase() + sentence.slice(1) + '.' };
}

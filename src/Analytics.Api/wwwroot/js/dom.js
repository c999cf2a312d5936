// Tiny DOM helpers: every text goes through textContent, so API data can never inject markup.

/** Creates an element: h('p', { class: 'x', onclick: fn }, 'text', child, ...). */
export function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    setAttributes(element, attributes);
    append(element, children);
    return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes and children. */
export function s(tag, attributes = {}, ...children) {
    const element = document.createElementNS(SVG_NS, tag);
    setAttributes(element, attributes);
    append(element, children);
    return element;
}

function setAttributes(element, attributes) {
    for (const [name, value] of Object.entries(attributes ?? {})) {
        if (value === null || value === undefined || value === false) continue;
        if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
        else element.setAttribute(name, value === true ? '' : String(value));
    }
}

function append(element, children) {
    for (const child of children.flat(Infinity)) {
        if (child === null || child === undefined || child === false) continue;
        element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
}

/** A count as released: a suppressed cell reads "< k", never zero. */
export function count(value, suppressed, k) {
    if (suppressed || value === null || value === undefined) return `< ${k}`;
    return Number(value).toLocaleString('en-GB');
}

/** A UTC timestamp, readably. */
export const when = (value) => (value ? new Date(value).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC' : '—');

export function percent(value, digits = 0) {
    return `${(value * 100).toFixed(digits)} %`;
}

export const loading = (what = 'Loading…') => h('p', { class: 'loading', role: 'status' }, what);

export const empty = (text) => h('p', { class: 'empty', 'data-testid': 'empty' }, text);

/** An error box; 401 sends the reader back to sign-in elsewhere. */
export function errorBox(error) {
    const title = error?.title ?? 'Something went wrong';
    const detail = error?.detail ?? error?.message ?? '';
    return h('div', { class: 'error', role: 'alert' }, h('strong', {}, title), detail ? h('p', {}, detail) : null);
}

/** "Not available" for an endpoint this service does not offer (yet). */
export const notAvailable = (what) =>
    h('div', { class: 'unavailable', role: 'note', 'data-testid': 'not-available' },
        h('strong', {}, `${what} is not available on this service.`),
        h('p', {}, 'The API answered 404: this feature is not installed or not enabled here.'));

/**
 * Says which figures are perturbed (cell key: the API's perturbationRange) and why; nothing when perturbation is off.
 * `what` names the figures, e.g. "Route flows".
 */
export const perturbationNote = (what, range) => (range > 0
    ? h('p', { class: 'note', role: 'note', 'data-testid': 'perturbation-note' },
        `${what} are moved by up to ±${range} so that two views cannot be subtracted to reveal a small count.`)
    : null);

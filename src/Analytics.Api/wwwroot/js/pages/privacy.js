// Privacy & audit (steward): k-anonymity and re-identification risk of the stored data, and the audit trail's hash-chain check.
import { api } from '../api.js';
import { h, loading, errorBox, notAvailable, percent, when } from '../dom.js';
import { bar } from '../charts.js';

const QUASI = { ageBand: 'age band', gender: 'gender', citizenship: 'citizenship', exploitationCountry: 'country of exploitation', year: 'year' };
const n = (value) => Number(value).toLocaleString('en-GB');
/** A risk as a percentage with enough digits that a small one does not read as 0 %. */
const risk = (value) => (value === 0 ? '0 %' : percent(value, value < 0.01 ? 2 : 1));

export async function privacyPage(main) {
    main.append(h('h1', {}, 'Privacy & audit'),
        h('p', { class: 'lead' }, 'How identifiable the stored records are, and whether the audit trail is intact.'));
    const privacy = main.appendChild(h('section', { class: 'card', 'aria-labelledby': 'privacy-title' }, h('h2', { id: 'privacy-title' }, 'Privacy report')));
    const audit = main.appendChild(h('section', { class: 'card', 'aria-labelledby': 'audit-title' }, h('h2', { id: 'audit-title' }, 'Audit verification')));
    const keys = main.appendChild(h('section', { class: 'card', 'aria-labelledby': 'keys-title' }, h('h2', { id: 'keys-title' }, 'Pseudonymisation keys')));
    await Promise.all([privacyReport(privacy), auditCheck(audit), keyRing(keys)]);
}

async function privacyReport(section) {
    const k = h('input', { id: 'privacy-k', name: 'k', type: 'number', min: 1, max: 1000, step: 1, inputmode: 'numeric', required: true });
    const form = h('form', { class: 'filters', 'aria-label': 'Privacy report settings' },
        h('div', {}, h('label', { for: 'privacy-k' }, 'Required k'), k),
        h('div', {}, h('button', { type: 'submit' }, 'Compute')));
    const body = h('div', { 'aria-live': 'polite' });
    section.append(h('p', { class: 'hint' },
        'Each victim record is grouped with every record that shares its quasi-identifiers. A group smaller than k could single a person out.'), form, body);

    const load = async (threshold) => {
        body.replaceChildren(loading('Computing the privacy report…'));
        let report;
        try {
            report = await api(`/api/v1/privacy/report${threshold ? `?k=${threshold}` : ''}`);
        } catch (error) {
            body.replaceChildren(error.status === 404 ? notAvailable('The privacy report')
                : errorBox(error.errors ? { title: error.title, detail: Object.values(error.errors).flat().join(' ') } : error));
            return;
        }
        k.value = report.risk.k;
        body.replaceChildren(renderReport(report));
    };
    form.addEventListener('submit', (event) => {
        event.preventDefault();
        load(k.value);
    });
    await load();
}

function renderReport(report) {
    const r = report.risk;
    const largest = Math.max(1, ...r.classSizes.map((b) => b.records));
    const figure = (label, value, testid, note) =>
        h('div', { class: 'figure' }, h('dt', {}, label), h('dd', {}, h('strong', { 'data-testid': testid }, value), note ? h('span', { class: 'hint' }, ` ${note}`) : null));
    return h('div', { 'data-testid': 'privacy-report' },
        h('p', { class: r.satisfiesK ? 'verdict ok-box' : 'verdict bad-box', 'data-testid': 'k-verdict' },
            r.satisfiesK ? `The data is ${r.k}-anonymous: every group has at least ${r.k} records.`
                : `The data is not ${r.k}-anonymous: ${n(r.classesBelowK)} groups hold fewer than ${r.k} records (${n(r.recordsBelowK)} records, ${risk(r.shareOfRecordsBelowK)}).`),
        h('p', { class: 'hint' }, `Over ${n(report.cases)} active cases, one record per ${report.unit}; grouped by `,
            report.quasiIdentifiers.map((q) => QUASI[q] ?? q).join(', '), `. A missing value counts as “${report.missingValue}”. Computed ${when(report.generatedAt)}.`),
        h('dl', { class: 'figures-grid' },
            figure('Records', n(r.records), 'privacy-records'),
            figure('Groups', n(r.classes), 'privacy-classes'),
            figure('Smallest group', n(r.smallestClassSize), 'privacy-smallest'),
            figure('k achieved', n(r.kAchieved), 'privacy-k-achieved', `(required ${r.k})`),
            figure('Groups below k', n(r.classesBelowK), 'privacy-classes-below'),
            figure('Records below k', n(r.recordsBelowK), 'privacy-records-below', `(${risk(r.shareOfRecordsBelowK)})`)),
        h('div', { class: 'two' },
            h('div', {},
                h('h3', {}, 'Re-identification risk'),
                h('table', { 'data-testid': 'risk-table' },
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Attacker model'), h('th', { scope: 'col', class: 'num' }, 'Highest'),
                        h('th', { scope: 'col', class: 'num' }, 'Average'), h('th', { scope: 'col', class: 'num' }, 'Records at risk'))),
                    h('tbody', {},
                        riskRow('Prosecutor', r.prosecutor, 'risk-prosecutor'),
                        riskRow('Journalist', r.journalist, 'risk-journalist'),
                        h('tr', {}, h('th', { scope: 'row' }, 'Marketer'), h('td', { class: 'num', 'data-testid': 'risk-marketer' }, risk(r.marketerRisk)), h('td', { class: 'num' }, '—'), h('td', { class: 'num' }, '—')))),
                h('p', { class: 'hint' }, `A record is at risk when its individual risk exceeds ${risk(r.prosecutor.threshold)} (1 / k). ${report.journalistModel}`)),
            h('div', {},
                h('h3', {}, 'Records by group size'),
                h('table', { class: 'bars', 'data-testid': 'class-sizes' },
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Group size'), h('th', { scope: 'col', class: 'num' }, 'Groups'), h('th', { scope: 'col' }, 'Records'))),
                    h('tbody', {}, r.classSizes.map((b) => h('tr', { 'data-testid': 'class-size-row' },
                        h('th', { scope: 'row' }, b.size), h('td', { class: 'num', 'data-testid': 'class-size-groups' }, n(b.classes)),
                        h('td', {}, bar(b.records, largest, `${n(b.records)} records`), h('span', { class: 'num', 'data-testid': 'class-size-records' }, n(b.records))))))))));
}

const riskRow = (name, model, testid) => h('tr', { 'data-testid': testid },
    h('th', { scope: 'row' }, name), h('td', { class: 'num' }, risk(model.highestRisk)), h('td', { class: 'num' }, risk(model.averageRisk)),
    h('td', { class: 'num' }, risk(model.recordsAtRisk)));

async function auditCheck(section) {
    const body = h('div', { 'aria-live': 'polite' });
    const again = h('button', { type: 'button', class: 'secondary' }, 'Verify again');
    section.append(h('p', { class: 'hint' },
        'Every API request is written to the audit trail, each entry chained to the previous one by a SHA-256 hash. Verifying checks the entries added since the last verification; a full walk from the first entry is GET /api/v1/audit/verify?full=true.'), body, again);
    const load = async () => {
        body.replaceChildren(loading('Verifying the audit chain…'));
        try {
            const check = await api('/api/v1/audit/verify');
            body.replaceChildren(check.valid
                ? h('p', { class: 'verdict ok-box', 'data-testid': 'audit-verdict' }, 'The audit chain is intact: ', h('strong', { 'data-testid': 'audit-entries' }, n(check.entries)), ' entries verified.')
                : h('p', { class: 'verdict bad-box', role: 'alert', 'data-testid': 'audit-verdict' }, 'The audit chain is broken at entry ',
                    h('strong', { 'data-testid': 'audit-broken' }, `#${check.firstBrokenSeq}`), ` (of ${n(check.entries)} entries read). Entries from there on may have been altered or removed.`),
                h('p', { class: 'hint' }, `Checked ${when(new Date().toISOString())}: ${n(check.checked ?? check.entries)} entries read after entry #${check.after ?? 0}`
                    + (check.complete === false ? '; more remain, verify again to go on.' : '.')));
        } catch (error) {
            body.replaceChildren(error.status === 404 ? notAvailable('Audit verification') : errorBox(error));
        }
    };
    again.addEventListener('click', load);
    await load();
}

async function keyRing(section) {
    const body = h('div', { 'aria-live': 'polite' });
    section.append(h('p', { class: 'hint' },
        'Identifiers are stored as tokens chained through these keys, oldest first; the secrets never leave the key file or configuration. After a rotation the stored cases are moved to the new key (job rekey-tokens) and link runs wait until they all are.'), body);
    const load = async () => {
        body.replaceChildren(loading('Reading the key ring…'));
        let ring;
        try {
            ring = await api('/api/v1/pseudonymisation/keys');
        } catch (error) {
            body.replaceChildren(error.status === 404 ? notAvailable('The key ring') : errorBox(error));
            return;
        }
        const total = ring.keys.reduce((sum, key) => sum + key.cases, 0);
        const verdict = ring.moving
            ? h('p', { class: 'verdict bad-box', 'data-testid': 'keys-verdict' }, `Moving cases to key ${ring.activeKeyId}: `,
                h('strong', {}, n(ring.casesToMove)), ' cases are still under an earlier key. Link runs wait until the move is done.')
            : h('p', { class: 'verdict ok-box', 'data-testid': 'keys-verdict' }, `All ${n(total)} cases are under the active key ${ring.activeKeyId ?? '—'}.`);
        const move = ring.moving ? h('button', { type: 'button', class: 'secondary' }, 'Move now') : null;
        move?.addEventListener('click', async () => {
            move.disabled = true;
            try {
                await api('/api/v1/pseudonymisation/rekey', { method: 'POST' });
                await load();
            } catch (error) {
                body.append(errorBox(error));
                move.disabled = false;
            }
        });
        body.replaceChildren(verdict,
            h('table', { 'data-testid': 'key-ring' },
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Key id'), h('th', { scope: 'col' }, 'Added'),
                    h('th', { scope: 'col' }, 'Every case moved to it'), h('th', { scope: 'col', class: 'num' }, 'Cases under it'))),
                h('tbody', {}, ring.keys.map((key) => h('tr', { 'data-testid': 'key-row' },
                    h('td', {}, key.position), h('th', { scope: 'row', 'data-testid': 'key-id' }, key.keyId, key.active ? ' (active)' : ''),
                    h('td', {}, when(key.addedAt)), h('td', {}, key.rekeyedAt ? when(key.rekeyedAt) : 'not yet'),
                    h('td', { class: 'num', 'data-testid': 'key-cases' }, n(key.cases)))))),
            ...(move ? [move] : []));
    };
    await load();
}

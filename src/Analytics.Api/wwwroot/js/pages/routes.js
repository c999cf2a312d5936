// Routes: origin → destination flows as a two-column Sankey, filterable by period and exploitation type, with the figures as a table.
import { api } from '../api.js';
import { h, count, loading, empty, errorBox, perturbationNote } from '../dom.js';
import { flowDiagram } from '../charts.js';

export async function codeOptions(list, { any } = {}) {
    try {
        // Countries are many: alphabetical by name; other lists keep their own (meaningful) order.
        const codes = list === 'countries' ? [...await codeList(list)].sort((a, b) => a.label.localeCompare(b.label, 'en')) : await codeList(list);
        return [any ? h('option', { value: '' }, any) : null, ...codes.map((c) => h('option', { value: c.code }, c.label))];
    } catch {
        return [h('option', { value: '' }, any ?? '—')];
    }
}

const lists = new Map();

/** The codes and labels of one code list, fetched once per page load. */
export function codeList(list) {
    if (!lists.has(list)) lists.set(list, api(`/api/v1/codelists/${list}`).catch((error) => { lists.delete(list); throw error; }));
    return lists.get(list);
}

/** code → label of one code list; an empty map when the list cannot be read (the codes are shown instead). */
export async function codeLabels(list) {
    try {
        return new Map((await codeList(list)).map((c) => [c.code, c.label]));
    } catch {
        return new Map();
    }
}

export async function routesPage(main) {
    main.append(h('h1', {}, 'Routes'));
    const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const year = new Date().getFullYear();
    const yearInput = (id, value) => h('input', { id, name: id, type: 'number', min: 1990, max: year + 1, step: 1, inputmode: 'numeric', placeholder: 'any', value: value ?? '' });
    const from = yearInput('from', params.get('from'));
    const to = yearInput('to', params.get('to'));
    const type = h('select', { id: 'exploitation-type', name: 'exploitationType' }, await codeOptions('exploitation-types', { any: 'All types' }));
    type.value = params.get('exploitationType') ?? '';
    const form = h('form', { class: 'filters', 'aria-label': 'Route filters' },
        h('div', {}, h('label', { for: 'from' }, 'From year'), from),
        h('div', {}, h('label', { for: 'to' }, 'To year'), to),
        h('div', {}, h('label', { for: 'exploitation-type' }, 'Exploitation type'), type),
        h('div', {}, h('button', { type: 'submit' }, 'Show')));
    main.append(form);
    const result = main.appendChild(h('div', { 'aria-live': 'polite' }));

    const load = async () => {
        result.replaceChildren(loading('Loading routes…'));
        const query = new URLSearchParams();
        if (from.value) query.set('from', from.value);
        if (to.value) query.set('to', to.value);
        if (type.value) query.set('exploitationType', type.value);
        let report;
        try {
            report = await api(`/api/v1/insights/routes?${query}`);
        } catch (error) {
            result.replaceChildren(errorBox(error.errors ? { title: error.title, detail: Object.values(error.errors).flat().join(' ') } : error));
            return;
        }
        const k = report.disclosureThreshold;
        if (report.flows.length === 0) {
            result.replaceChildren(empty('No route matches these filters.'));
            return;
        }
        const released = report.flows.filter((f) => !f.suppressed).reduce((a, f) => a + f.cases, 0);
        result.replaceChildren(
            h('p', { class: 'lead' }, h('span', { 'data-testid': 'route-count' }, report.flows.length), ` routes, ${released.toLocaleString('en-GB')} cases in released cells. Routes with fewer than ${k} cases show as “< ${k}” (dashed).`),
            perturbationNote('Route flows', report.perturbationRange),
            h('section', { class: 'card', 'aria-labelledby': 'flow-title' }, h('h2', { id: 'flow-title' }, 'Origin → destination'),
                h('div', { class: 'chart-box' }, flowDiagram(report.flows, k, { label: `Flows from origin to destination country, ${report.flows.length} routes` }))),
            h('section', { class: 'card', 'aria-labelledby': 'route-table-title' }, h('h2', { id: 'route-table-title' }, 'Figures'),
                h('p', { class: 'hint' }, 'Largest first. Scroll the table to see every route.'),
                h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Route figures' }, h('table', { 'data-testid': 'routes-table' },
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Route'), h('th', { scope: 'col' }, 'Origin'), h('th', { scope: 'col' }, 'Destination'), h('th', { scope: 'col', class: 'num' }, 'Cases'))),
                    h('tbody', {}, report.flows.map((f) => h('tr', { 'data-testid': 'route-row' },
                        h('th', { scope: 'row' }, f.countries.join(' → ')), h('td', {}, f.origin), h('td', {}, f.destination),
                        h('td', { class: f.suppressed ? 'num suppressed' : 'num', 'data-testid': 'route-cases' }, count(f.cases, f.suppressed, k)))))))));
    };
    form.addEventListener('submit', (event) => {
        event.preventDefault();
        const query = new URLSearchParams();
        if (from.value) query.set('from', from.value);
        if (to.value) query.set('to', to.value);
        if (type.value) query.set('exploitationType', type.value);
        history.replaceState(null, '', `#/routes${query.size ? `?${query}` : ''}`);
        load();
    });
    await load();
}

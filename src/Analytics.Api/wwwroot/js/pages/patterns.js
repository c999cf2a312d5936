// Patterns: cards (label, size, sparkline, emerging badge; under a filter, matching cases) and a detail view (profile bars, trend, jurisdictions, routes).
import { api } from '../api.js';
import { h, count, percent, loading, empty, errorBox, perturbationNote } from '../dom.js';
import { sparkline, trendChart, bar } from '../charts.js';
import { codeOptions } from './routes.js';

async function emergingById() {
    try {
        const report = await api('/api/v1/insights/emerging');
        return new Map(report.patterns.map((p) => [p.patternId, p]));
    } catch (error) {
        if (error.status === 404) return new Map(); // no aggregates yet: no badge rather than an error
        throw error;
    }
}

// The list's filters, as the API names them (GET /api/v1/patterns): a year for the period, a code for the others.
const FILTERS = ['from', 'to', 'jurisdiction', 'exploitationType', 'ageBand'];

export async function patternsPage(main) {
    main.append(h('h1', {}, 'Patterns'));
    const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const year = new Date().getFullYear();
    const yearInput = (id, value) => h('input', { id, name: id, type: 'number', min: 1990, max: year + 1, step: 1, inputmode: 'numeric', placeholder: 'any', value: value ?? '' });
    const select = (id, name, options, value) => {
        const element = h('select', { id, name }, options);
        element.value = value ?? '';
        return element;
    };
    const [countries, types, ages] = await Promise.all([
        codeOptions('countries', { any: 'All jurisdictions' }), codeOptions('exploitation-types', { any: 'All types' }), codeOptions('age-bands', { any: 'All ages' })]);
    const fields = {
        from: yearInput('pattern-from', params.get('from')),
        to: yearInput('pattern-to', params.get('to')),
        jurisdiction: select('pattern-jurisdiction', 'jurisdiction', countries, params.get('jurisdiction')),
        exploitationType: select('pattern-exploitation-type', 'exploitationType', types, params.get('exploitationType')),
        ageBand: select('pattern-age-band', 'ageBand', ages, params.get('ageBand')),
    };
    const form = h('form', { class: 'filters', 'aria-label': 'Pattern filters' },
        h('div', {}, h('label', { for: 'pattern-from' }, 'From year'), fields.from),
        h('div', {}, h('label', { for: 'pattern-to' }, 'To year'), fields.to),
        h('div', {}, h('label', { for: 'pattern-jurisdiction' }, 'Jurisdiction'), fields.jurisdiction),
        h('div', {}, h('label', { for: 'pattern-exploitation-type' }, 'Exploitation type'), fields.exploitationType),
        h('div', {}, h('label', { for: 'pattern-age-band' }, 'Victim age band'), fields.ageBand),
        h('div', {}, h('button', { type: 'submit' }, 'Show')));
    main.append(form);
    const result = main.appendChild(h('div', { 'aria-live': 'polite' }));
    const query = () => {
        const q = new URLSearchParams();
        for (const name of FILTERS) if (fields[name].value) q.set(name, fields[name].value);
        return q;
    };
    form.addEventListener('submit', (event) => {
        event.preventDefault();
        const q = query();
        history.replaceState(null, '', `#/patterns${q.size ? `?${q}` : ''}`);
        showPatterns(result, q);
    });
    await showPatterns(result, query());
}

async function showPatterns(result, query) {
    result.replaceChildren(loading('Loading patterns…'));
    const filtered = query.size > 0;
    let page;
    try {
        page = await api(`/api/v1/patterns?pageSize=100${filtered ? `&${query}` : ''}`);
    } catch (error) {
        result.replaceChildren(error.status === 404 ? empty(`${error.title}. ${error.detail}`)
            : errorBox(error.errors ? { title: error.title, detail: Object.values(error.errors).flat().join(' ') } : error));
        return;
    }
    const k = page.disclosureThreshold;
    const emerging = await emergingById().catch(() => new Map());
    result.replaceChildren(h('p', { class: 'lead' },
        h('span', { 'data-testid': 'pattern-total' }, page.total),
        filtered ? ` patterns with cases matching the filter, model ${page.modelVersion}. ` : ` patterns released by model ${page.modelVersion}. `,
        `Patterns smaller than ${k} cases are not shown.`));
    // Only narrowed counts are perturbed: the unfiltered list's sizes and sparklines are exact.
    const note = filtered ? perturbationNote('Counts under a filter (matching cases and the monthly sparklines)', page.perturbationRange) : null;
    if (note) result.append(note);
    if (page.items.length === 0) {
        result.append(empty(filtered ? 'No released pattern has cases matching the filter.' : 'No pattern is large enough to be released yet.'));
        return;
    }
    const grid = result.appendChild(h('ul', { class: 'cards', 'aria-label': 'Patterns' }));
    for (const pattern of page.items) {
        const e = emerging.get(pattern.id);
        const spark = h('div', { class: 'spark' }, loading('…'));
        grid.append(h('li', { class: 'card pattern', 'data-testid': 'pattern-card', 'data-id': pattern.id },
            h('h2', {}, h('a', { href: `#/patterns/${pattern.id}` }, pattern.label)),
            h('p', { class: 'size' }, h('span', { 'data-testid': 'pattern-size' }, count(pattern.size, false, k)), ' cases'),
            pattern.matching ? h('p', { class: 'matching' },
                h('span', { 'data-testid': 'pattern-matching' }, count(pattern.matching.cases, pattern.matching.suppressed, k)), ' of them match the filter') : null,
            e?.emerging ? h('span', { class: 'badge', 'data-testid': 'emerging', title: `Recent ${e.recentCases ?? '< k'} vs expected ${e.expected ?? '—'} (p = ${e.pValue.toExponential(1)})` }, 'Emerging') : null,
            spark,
            h('p', { class: 'hint' }, `${pattern.firstSeen ?? '?'} – ${pattern.lastSeen ?? '?'}`)));
        if (filtered) {
            // The list's own sparkline: the last 12 months of the pattern's cases under the filter.
            spark.replaceChildren(sparkline(pattern.sparkline, k, { label: narrowedLabel(pattern.sparkline, k, pattern.label) }));
            continue;
        }
        api(`/api/v1/patterns/${pattern.id}/trend?interval=quarter`)
            .then((trend) => spark.replaceChildren(sparkline(trend.points, trend.disclosureThreshold, { label: sparkLabel(trend, pattern.label) })))
            .catch(() => spark.replaceChildren(h('span', { class: 'hint' }, 'trend not available')));
    }
}

function narrowedLabel(points, k, label) {
    const withheld = points.filter((p) => p.suppressed).length;
    return `Cases per month of ${label} matching the filter: ${points.length} months, ${withheld} of them below ${k} cases`;
}

function sparkLabel(trend, label) {
    const shown = trend.points.filter((p) => !p.suppressed).length;
    return `Cases per quarter of ${label}: ${trend.points.length} quarters, ${trend.points.length - shown} of them below ${trend.disclosureThreshold} cases`;
}

const FEATURE_NAMES = {
    'victim.age': 'Victim age', 'victim.gender': 'Victim gender', 'victim.citizenship': 'Victim citizenship',
    'suspect.relation': 'Suspect is', 'suspect.role': 'Suspect role', recruitment: 'Recruited via', control: 'Control',
    exploitation: 'Exploitation', sector: 'Labour sector', route: 'Route', transit: 'Transit', origin: 'Origin',
    destination: 'Destination', platform: 'Platform', payment: 'Payment', evidence: 'Evidence', jurisdiction: 'Jurisdiction',
};

function featureLabel(feature) {
    const at = feature.indexOf('=');
    if (at < 0) return feature;
    const kind = feature.slice(0, at);
    return `${FEATURE_NAMES[kind] ?? kind}: ${feature.slice(at + 1).replaceAll('-', ' ')}`;
}

export async function patternPage(main, id) {
    main.append(h('p', {}, h('a', { href: '#/patterns' }, '← All patterns')));
    const status = main.appendChild(loading('Loading the pattern…'));
    let pattern;
    try {
        pattern = await api(`/api/v1/patterns/${id}`);
    } catch (error) {
        status.replaceWith(errorBox(error));
        return;
    }
    const list = await api('/api/v1/patterns?pageSize=1');
    const k = list.disclosureThreshold;
    status.replaceWith(h('h1', { 'data-testid': 'pattern-title' }, pattern.label));
    main.append(h('p', { class: 'lead' },
        h('span', { 'data-testid': 'pattern-size' }, count(pattern.size, false, k)), ` cases, first seen ${pattern.firstSeen ?? '?'}, last seen ${pattern.lastSeen ?? '?'}.`));

    const layout = main.appendChild(h('div', { class: 'two' }));

    // Profile: share of the pattern's cases with each attribute, and lift over all cases.
    const maxLift = Math.max(1, ...pattern.attributes.map((a) => a.lift));
    const profile = h('section', { class: 'card', 'aria-labelledby': 'profile-title' }, h('h2', { id: 'profile-title' }, 'Profile'),
        h('p', { class: 'hint' }, 'Share: how many of this pattern’s cases have the attribute. Lift: how much more often than in all cases.'));
    if (pattern.attributes.length === 0) profile.append(empty('No attribute is held by enough cases to be shown.'));
    else {
        profile.append(h('table', { class: 'bars' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Attribute'), h('th', { scope: 'col' }, 'Share'), h('th', { scope: 'col' }, 'Lift'))),
            h('tbody', {}, pattern.attributes.map((a) => h('tr', { 'data-testid': 'attribute' },
                h('th', { scope: 'row' }, featureLabel(a.feature)),
                h('td', {}, bar(a.share, 1, percent(a.share)), h('span', { class: 'num' }, percent(a.share))),
                h('td', {}, bar(a.lift, maxLift, `× ${a.lift}`, { color: '#b45309' }), h('span', { class: 'num' }, `× ${a.lift.toFixed(2)}`)))))));
    }
    layout.append(profile);

    // Jurisdictions, disclosure-controlled; routes come from the profile's route attributes.
    const side = h('div');
    side.append(h('section', { class: 'card', 'aria-labelledby': 'jur-title' }, h('h2', { id: 'jur-title' }, 'Jurisdictions'),
        pattern.jurisdictions.length === 0 ? empty('No jurisdiction to show.') :
            h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Jurisdiction'), h('th', { scope: 'col', class: 'num' }, 'Cases'))),
                h('tbody', {}, pattern.jurisdictions.map((j) => h('tr', {},
                    h('th', { scope: 'row' }, j.key), h('td', { class: 'num', 'data-testid': 'jurisdiction-cases' }, count(j.count, j.suppressed, k))))))));
    const routes = pattern.attributes.filter((a) => /^(route|transit|origin|destination)=/.test(a.feature));
    side.append(h('section', { class: 'card', 'aria-labelledby': 'routes-title' }, h('h2', { id: 'routes-title' }, 'Routes'),
        routes.length === 0 ? empty('No route is typical of this pattern.') :
            h('ul', {}, routes.map((r) => h('li', {}, `${featureLabel(r.feature)} — ${percent(r.share)} of cases`))),
        h('p', {}, h('a', { href: '#/routes' }, 'All routes →'))));
    layout.append(side);

    // Trend, month or quarter.
    const trendSection = main.appendChild(h('section', { class: 'card', 'aria-labelledby': 'trend-title' }, h('h2', { id: 'trend-title' }, 'Trend')));
    const select = h('select', { id: 'interval' }, h('option', { value: 'quarter' }, 'per quarter'), h('option', { value: 'month' }, 'per month'));
    trendSection.append(h('label', { for: 'interval' }, 'Cases '), select);
    const chart = trendSection.appendChild(h('div', { class: 'chart-box' }));
    const draw = async () => {
        chart.replaceChildren(loading('Loading the trend…'));
        try {
            const trend = await api(`/api/v1/patterns/${id}/trend?interval=${select.value}`);
            chart.replaceChildren(trend.points.length === 0 ? empty('No dated cases yet.') :
                trendChart(trend.points, trend.disclosureThreshold, { label: `Cases ${select.value === 'month' ? 'per month' : 'per quarter'} of ${pattern.label}` }),
                h('details', {}, h('summary', {}, 'Figures'), h('table', {},
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), h('th', { scope: 'col', class: 'num' }, 'Cases'))),
                    h('tbody', {}, trend.points.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.period),
                        h('td', { class: 'num', 'data-testid': 'trend-cases' }, count(p.cases, p.suppressed, trend.disclosureThreshold))))))));
        } catch (error) {
            chart.replaceChildren(errorBox(error));
        }
    };
    select.addEventListener('change', draw);
    await draw();
}

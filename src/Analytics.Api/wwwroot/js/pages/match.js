// Match: a case profile in (every field POST /api/v1/match accepts), the nearest patterns and the predicted exploitation
// types, with the indicators that drove them, out.
import { api } from '../api.js';
import { h, percent, loading, empty, errorBox } from '../dom.js';
import { bar } from '../charts.js';
import { codeList, codeLabels, codeOptions } from './routes.js';

// The feature prefixes of the models' indicators (victim.gender=female, control=debt-bondage, …) and their code lists.
const FEATURES = {
    'victim.gender': ['Victim gender', 'genders'], 'victim.citizenship': ['Victim citizenship', 'countries'], 'victim.age': ['Victim age band', 'age-bands'],
    'victim.age.youngest': ['Age of the youngest victim'], 'victim.child': ['A victim is a child'], 'victims.count': ['Number of victims'],
    'suspects.count': ['Number of suspects'], 'route.count': ['Number of countries on the route'],
    recruitment: ['Recruitment channel', 'recruitment-channels'], control: ['Means of control', 'means-of-control'],
    exploitation: ['Exploitation type', 'exploitation-types'], sector: ['Labour sector', 'labour-sectors'],
    origin: ['Origin', 'countries'], destination: ['Destination', 'countries'], evidence: ['Evidence kind', 'evidence-kinds'],
    platform: ['Platform', 'platforms'], payment: ['Payment channel', 'payment-channels'],
    'suspect.role': ['Suspect role', 'suspect-roles'], 'suspect.relation': ['Suspect’s relation to the victim', 'relations-to-victim'],
};

const CHECK_GROUPS = [
    ['recruitmentChannels', 'Recruitment channels', 'recruitment-channels'],
    ['meansOfControl', 'Means of control', 'means-of-control'],
    ['exploitationTypes', 'Exploitation types already known', 'exploitation-types'],
    ['labourSectors', 'Labour sectors', 'labour-sectors'],
    ['evidenceKinds', 'Kinds of digital evidence', 'evidence-kinds'],
    ['platforms', 'Platforms', 'platforms'],
    ['paymentChannels', 'Payment channels', 'payment-channels'],
];

const labelled = (id, label, control, hint) => {
    control.id = id;
    if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
    return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null);
};

/** A fieldset of checkboxes, one per code: keyboard-operable and labelled, unlike a multiple select. */
async function checkGroup(name, legend, list) {
    const codes = await codeList(list).catch(() => []);
    return h('fieldset', { class: 'checks', 'data-name': name }, h('legend', {}, legend),
        codes.map((c) => {
            const id = `m-${name}-${c.code}`;
            return h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name, value: c.code }), h('label', { for: id }, c.label));
        }));
}

export async function matchPage(main) {
    main.append(h('h1', {}, 'Match a case profile'),
        h('p', { class: 'lead' }, 'Describe a case by its categories only (no names or identifiers). The service compares it with the released patterns and the classifiers. Every field is optional.'));
    const status = main.appendChild(loading('Loading the form…'));
    const country = (any = 'unknown') => codeOptions('countries', { any });
    const [jurisdiction, origin, destination, transit, exploitationCountries, ...groups] = await Promise.all([
        country().then((o) => h('select', { name: 'jurisdiction' }, o)),
        country().then((o) => h('select', { name: 'origin' }, o)),
        country().then((o) => h('select', { name: 'destination' }, o)),
        country(null).then((o) => h('select', { name: 'transit', multiple: true, size: 4 }, o)),
        country(null).then((o) => h('select', { name: 'exploitationCountries', multiple: true, size: 4 }, o)),
        ...CHECK_GROUPS.map(([name, legend, list]) => checkGroup(name, legend, list)),
    ]);
    const period = h('input', { type: 'month', name: 'periodFrom', min: '1990-01', placeholder: 'YYYY-MM' });
    const victims = h('div', { class: 'rows', 'data-testid': 'victims' });
    const suspects = h('div', { class: 'rows', 'data-testid': 'suspects' });
    // Rows are numbered by counters, not by how many are left, so a row added after a removal never repeats an id.
    let victimRows = 0;
    let suspectRows = 0;
    const addVictim = async () => {
        const i = ++victimRows;
        const [age, gender, citizenship] = await Promise.all([
            codeOptions('age-bands', { any: 'unknown' }), codeOptions('genders', { any: 'unknown' }), country()]);
        const row = h('fieldset', { class: 'person', 'data-role': 'victim' }, h('legend', {}, `Victim ${i}`),
            labelled(`m-victim-${i}-age`, 'Age band', h('select', { name: 'ageBand' }, age)),
            labelled(`m-victim-${i}-gender`, 'Gender', h('select', { name: 'gender' }, gender)),
            labelled(`m-victim-${i}-citizenship`, 'Citizenship', h('select', { name: 'citizenship' }, citizenship)),
            i > 1 ? h('button', { type: 'button', class: 'secondary small', onclick: () => row.remove() }, `Remove victim ${i}`) : null);
        victims.append(row);
        return row;
    };
    const addSuspect = async () => {
        const i = ++suspectRows;
        const [role, relation] = await Promise.all([codeOptions('suspect-roles'), codeOptions('relations-to-victim', { any: 'unknown' })]);
        const row = h('fieldset', { class: 'person', 'data-role': 'suspect' }, h('legend', {}, `Suspect ${i}`),
            labelled(`m-suspect-${i}-role`, 'Role', h('select', { name: 'role' }, role)),
            labelled(`m-suspect-${i}-relation`, 'Relation to the victim', h('select', { name: 'relationToVictim' }, relation)),
            h('button', { type: 'button', class: 'secondary small', onclick: () => row.remove() }, `Remove suspect ${i}`));
        suspects.append(row);
        row.querySelector('select').focus();
        return row;
    };
    await addVictim();
    const byName = Object.fromEntries(groups.map((g) => [g.dataset.name, g]));
    const form = h('form', { class: 'match-form', 'aria-label': 'Case profile' },
        h('fieldset', { class: 'card' }, h('legend', {}, 'Case'),
            labelled('m-jurisdiction', 'Jurisdiction', jurisdiction, 'The country whose authority holds the case. Unknown: the destination, else the origin.'),
            labelled('m-period', 'Start of the facts (month)', period)),
        h('fieldset', { class: 'card' }, h('legend', {}, 'Route'),
            labelled('m-origin', 'Origin country', origin),
            labelled('m-transit', 'Transit countries', transit, 'Ctrl (or ⌘) + click to choose several.'),
            labelled('m-destination', 'Destination country', destination),
            labelled('m-exploitation-countries', 'Countries of exploitation', exploitationCountries, 'None chosen: the destination.')),
        h('fieldset', { class: 'card wide' }, h('legend', {}, 'Victims'), victims,
            h('button', { type: 'button', class: 'secondary', onclick: () => addVictim().then((r) => r.querySelector('select').focus()) }, 'Add a victim')),
        h('fieldset', { class: 'card wide' }, h('legend', {}, 'Suspects'), suspects,
            h('button', { type: 'button', class: 'secondary', onclick: addSuspect }, 'Add a suspect')),
        h('fieldset', { class: 'card wide' }, h('legend', {}, 'Modus operandi'),
            h('div', { class: 'check-groups' }, byName.recruitmentChannels, byName.meansOfControl, byName.exploitationTypes, byName.labourSectors)),
        h('fieldset', { class: 'card wide' }, h('legend', {}, 'Digital and financial traces'),
            h('div', { class: 'check-groups' }, byName.evidenceKinds, byName.platforms, byName.paymentChannels)),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Match'), h('button', { type: 'reset', class: 'secondary' }, 'Clear')));
    status.replaceWith(form);
    const result = main.appendChild(h('div', { 'aria-live': 'polite', class: 'match-result' }));

    const selected = (select) => [...select.selectedOptions].map((o) => o.value).filter(Boolean);
    const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => c.value);
    const value = (row, name) => row.querySelector(`[name="${name}"]`).value || null;
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const route = [origin.value, ...selected(transit), destination.value].filter(Boolean);
        const profile = {
            jurisdiction: jurisdiction.value || destination.value || origin.value || '',
            periodFrom: period.value || null,
            victims: [...victims.children].map((r) => ({ ageBand: value(r, 'ageBand'), gender: value(r, 'gender'), citizenship: value(r, 'citizenship') })),
            suspects: [...suspects.children].map((r) => ({ role: value(r, 'role'), relationToVictim: value(r, 'relationToVictim') })),
            ...Object.fromEntries(CHECK_GROUPS.map(([name]) => [name, checked(name)])),
            routeCountries: route.filter((c, i) => route.indexOf(c) === i),
            exploitationCountries: selected(exploitationCountries).length ? selected(exploitationCountries) : destination.value ? [destination.value] : [],
        };
        result.replaceChildren(loading('Matching…'));
        try {
            const [match, types] = await Promise.all([api('/api/v1/match', { method: 'POST', body: profile }), codeLabels('exploitation-types')]);
            result.replaceChildren(await render(match, types));
        } catch (error) {
            result.replaceChildren(errorBox(error.errors ? { title: error.title, detail: Object.entries(error.errors).map(([k, v]) => `${k}: ${v.join(' ')}`).join(' · ') } : error));
        }
        result.querySelector('h2')?.scrollIntoView({ block: 'nearest' });
    });
    form.addEventListener('reset', () => {
        while (victims.children.length > 1) victims.lastChild.remove();
        suspects.replaceChildren();
        result.replaceChildren();
    });
}

/** "control=debt-bondage" → "Means of control: Debt bondage", using the code lists' labels. */
async function readable(feature) {
    const [prefix, code] = feature.split('=');
    const [name, list] = FEATURES[prefix.replace(/\.unknown$/, '')] ?? [prefix];
    if (prefix.endsWith('.unknown')) return `${name}: unknown`;
    if (code === undefined) return name;
    const label = list ? (await codeLabels(list)).get(code) : null;
    return `${name}: ${label ?? code}`;
}

async function render(match, typeLabels) {
    const types = [...match.exploitationTypes].sort((a, b) => b.probability - a.probability);
    const drivers = await Promise.all(match.drivingFeatures.map(async (f) => [f, await readable(f)]));
    return h('div', { class: 'two' },
        h('section', { class: 'card', 'aria-labelledby': 'nearest-title' }, h('h2', { id: 'nearest-title' }, 'Nearest patterns'),
            match.nearestPatterns.length === 0 ? empty('No released pattern is close to this profile.') : [
                h('table', { 'data-testid': 'nearest-table' },
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Pattern'), h('th', { scope: 'col', class: 'num' }, 'Distance'))),
                    h('tbody', {}, match.nearestPatterns.map((p) => h('tr', { 'data-testid': 'nearest-pattern' },
                        h('th', { scope: 'row' }, h('a', { href: `#/patterns/${p.patternId}` }, p.label)),
                        h('td', { class: 'num', 'data-testid': 'nearest-distance' }, p.distance.toFixed(3)))))),
                h('p', { class: 'hint' }, 'Distance between the profile and the pattern’s centre: smaller is closer.')],
            match.childVictimProbability === null ? null :
                h('p', {}, 'Probability that a victim is a child: ', h('strong', { 'data-testid': 'child-probability' }, percent(match.childVictimProbability)))),
        h('section', { class: 'card', 'aria-labelledby': 'types-title' }, h('h2', { id: 'types-title' }, 'Predicted exploitation types'),
            h('table', { class: 'bars' },
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Probability'))),
                h('tbody', {}, types.map((t) => h('tr', { 'data-testid': 'predicted-type', 'data-class': t.class },
                    h('th', { scope: 'row' }, typeLabels.get(t.class) ?? t.class),
                    h('td', {}, bar(t.probability, 1, percent(t.probability)), h('span', { class: 'num', 'data-testid': 'predicted-probability' }, percent(t.probability, 1))))))),
            h('h3', {}, 'Indicators that drove the prediction'),
            drivers.length === 0 ? empty('No single indicator of this profile stood out.') :
                h('ul', { class: 'drivers' }, drivers.map(([f, text]) => h('li', { 'data-testid': 'driving-feature', 'data-feature': f }, text)))));
}

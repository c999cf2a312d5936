// Match: a case profile in, the nearest patterns and the predicted exploitation types (with the indicators that drove them) out.
import { api } from '../api.js';
import { h, percent, loading, empty, errorBox } from '../dom.js';
import { bar } from '../charts.js';
import { codeOptions } from './routes.js';

function field(id, label, control, hint) {
    control.id = id;
    return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint' }, hint) : null);
}

const multi = async (list, name) => h('select', { name, multiple: true, size: 5 }, await codeOptions(list));

export async function matchPage(main) {
    main.append(h('h1', {}, 'Match a case profile'),
        h('p', { class: 'lead' }, 'Describe a case by its categories only (no names or identifiers). The service compares it with the known patterns and the classifiers.'));
    const [age, gender, citizenship, channels, control, platforms, origin, destination, relation] = await Promise.all([
        codeOptions('age-bands', { any: 'unknown' }).then((o) => h('select', { name: 'ageBand' }, o)),
        codeOptions('genders', { any: 'unknown' }).then((o) => h('select', { name: 'gender' }, o)),
        codeOptions('countries', { any: 'unknown' }).then((o) => h('select', { name: 'citizenship' }, o)),
        multi('recruitment-channels', 'recruitmentChannels'),
        multi('means-of-control', 'meansOfControl'),
        multi('platforms', 'platforms'),
        codeOptions('countries', { any: 'unknown' }).then((o) => h('select', { name: 'origin' }, o)),
        codeOptions('countries', { any: 'unknown' }).then((o) => h('select', { name: 'destination' }, o)),
        codeOptions('relations-to-victim', { any: 'unknown' }).then((o) => h('select', { name: 'relation' }, o)),
    ]);
    const hint = 'Hold Ctrl (or ⌘) to choose several.';
    const form = h('form', { class: 'card match-form', 'aria-label': 'Case profile' },
        h('fieldset', {}, h('legend', {}, 'Victim'),
            field('m-age', 'Age band', age), field('m-gender', 'Gender', gender), field('m-citizenship', 'Citizenship', citizenship)),
        h('fieldset', {}, h('legend', {}, 'Modus operandi'),
            field('m-channels', 'Recruitment channels', channels, hint), field('m-control', 'Means of control', control, hint),
            field('m-platforms', 'Platforms', platforms, hint), field('m-relation', 'Suspect’s relation to the victim', relation)),
        h('fieldset', {}, h('legend', {}, 'Route'), field('m-origin', 'Origin country', origin), field('m-destination', 'Destination country', destination)),
        h('button', { type: 'submit' }, 'Match'));
    main.append(form);
    const result = main.appendChild(h('div', { 'aria-live': 'polite' }));

    const selected = (select) => [...select.selectedOptions].map((o) => o.value).filter(Boolean);
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const route = [origin.value, destination.value].filter(Boolean);
        const profile = {
            jurisdiction: destination.value || origin.value || '',
            victims: [{ ageBand: age.value || null, gender: gender.value || null, citizenship: citizenship.value || null }],
            suspects: relation.value ? [{ role: 'recruiter', relationToVictim: relation.value }] : [],
            recruitmentChannels: selected(channels),
            meansOfControl: selected(control),
            platforms: selected(platforms),
            routeCountries: [...new Set(route)],
            exploitationCountries: destination.value ? [destination.value] : [],
        };
        result.replaceChildren(loading('Matching…'));
        try {
            const match = await api('/api/v1/match', { method: 'POST', body: profile });
            result.replaceChildren(render(match));
        } catch (error) {
            result.replaceChildren(errorBox(error.errors ? { title: error.title, detail: Object.entries(error.errors).map(([k, v]) => `${k}: ${v.join(' ')}`).join(' · ') } : error));
        }
    });
}

function render(match) {
    const types = [...match.exploitationTypes].sort((a, b) => b.probability - a.probability);
    return h('div', { class: 'two' },
        h('section', { class: 'card', 'aria-labelledby': 'nearest-title' }, h('h2', { id: 'nearest-title' }, 'Nearest patterns'),
            match.nearestPatterns.length === 0 ? empty('No released pattern is close to this profile.') :
                h('ol', {}, match.nearestPatterns.map((p) => h('li', { 'data-testid': 'nearest-pattern' },
                    h('a', { href: `#/patterns/${p.patternId}` }, p.label), h('span', { class: 'hint' }, ` distance ${p.distance.toFixed(3)}`)))),
            match.childVictimProbability === null ? null :
                h('p', {}, 'Probability that a victim is a child: ', h('strong', { 'data-testid': 'child-probability' }, percent(match.childVictimProbability)))),
        h('section', { class: 'card', 'aria-labelledby': 'types-title' }, h('h2', { id: 'types-title' }, 'Predicted exploitation types'),
            h('table', { class: 'bars' }, h('tbody', {}, types.map((t) => h('tr', { 'data-testid': 'predicted-type' },
                h('th', { scope: 'row' }, t.class), h('td', {}, bar(t.probability, 1, percent(t.probability)), h('span', { class: 'num' }, percent(t.probability))))))),
            h('h3', {}, 'Indicators that drove the prediction'),
            match.drivingFeatures.length === 0 ? empty('No single indicator stood out.') :
                h('ul', { class: 'tags' }, match.drivingFeatures.map((f) => h('li', { 'data-testid': 'driving-feature' }, f)))));
}

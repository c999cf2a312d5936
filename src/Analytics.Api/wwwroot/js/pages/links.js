// Links (prosecutor): the cross-border hits on the authority's own cases, and the other authorities to contact.
import { api } from '../api.js';
import { h, loading, empty, errorBox, notAvailable } from '../dom.js';
import { renderValue } from './steward.js';

export async function linksPage(main, me) {
    main.append(h('h1', {}, 'Links'),
        h('p', { class: 'lead' }, `Cases of ${me.authority ?? 'your authority'} that share a pseudonymised identifier with cases elsewhere, and whom to contact.`));
    const status = main.appendChild(loading('Loading links…'));
    let answer;
    try {
        answer = await api('/api/v1/links/cases');
    } catch (error) {
        status.replaceWith(error.status === 404 ? notAvailable('Cross-border linking') : errorBox(error));
        return;
    }
    const items = Array.isArray(answer) ? answer : answer?.items ?? answer?.cases ?? null;
    if (Array.isArray(items) && items.length === 0) {
        status.replaceWith(empty('None of your cases has a hit in another authority’s cases.'));
        return;
    }
    status.replaceWith(h('section', { class: 'card', 'data-testid': 'links' }, renderValue(items ?? answer)));
}

// Links (prosecutor): the cross-border hits on the authority's own cases, and the other authorities to contact.
// The API never returns an identifier or a token, only its type; nothing here could show one.
import { api } from '../api.js';
import { h, loading, empty, errorBox, notAvailable, when } from '../dom.js';
import { codeLabels } from './routes.js';

const MAX_PAGES = 20; // 20 × 500: far more than one authority's hits or alerts; the page says so if there are more.
const PAGE_SIZE = 500;

async function allPages(path) {
    const items = [];
    let next = null;
    let heldFrom = null;
    for (let i = 0; i < MAX_PAGES; i++) {
        const answer = await api(`${path}${path.includes('?') ? '&' : '?'}limit=${PAGE_SIZE}${next === null ? '' : `&after=${encodeURIComponent(next)}`}`);
        items.push(...answer.items);
        heldFrom = answer.heldFrom ?? heldFrom;
        next = answer.next;
        if (next === null || next === undefined) return { items, more: false, heldFrom };
    }
    return { items, more: true, heldFrom };
}

export async function linksPage(main, me) {
    main.append(h('h1', {}, 'Links'),
        h('p', { class: 'lead' }, `Cases of ${me.authority ?? 'your authority'} whose pseudonymised identifiers match cases elsewhere, and whom to contact. `,
            'Only the type of a matching identifier is shown, never the identifier.'));
    const status = main.appendChild(loading('Loading links…'));
    let cases, alerts, types;
    try {
        // Alerts newest first, so that if there are more than the page holds, the ones left out are the oldest.
        [cases, alerts, types] = await Promise.all([allPages('/api/v1/links/cases'), allPages('/api/v1/links/alerts?order=newest'), codeLabels('identifier-types')]);
    } catch (error) {
        status.replaceWith(error.status === 404 ? notAvailable('Cross-border linking') : errorBox(error));
        return;
    }
    const typeName = (t) => types.get(t) ?? t;
    // A case linked to the others only through other cases of its group shares no identifier type with them itself.
    const typeNames = (list) => list.length === 0 ? 'via linked cases' : list.map(typeName).join(', ');
    const hits = cases.items.filter((c) => c.hit);
    const held = cases.heldFrom ?? alerts.heldFrom;

    // Whom to contact: every other authority that holds a linked case, with the cases of yours it concerns.
    const contacts = new Map();
    for (const c of hits) {
        for (const j of c.jurisdictions) {
            for (const authority of j.authorities.filter((a) => a !== me.authority)) {
                const entry = contacts.get(authority) ?? { authority, jurisdiction: j.jurisdiction, domestic: j.domestic, cases: new Set() };
                entry.cases.add(c.caseId);
                contacts.set(authority, entry);
            }
        }
    }
    const contactList = [...contacts.values()].sort((a, b) => a.domestic - b.domestic || b.cases.size - a.cases.size || a.authority.localeCompare(b.authority));
    const crossBorder = hits.filter((c) => c.crossBorder).length;
    const unreadFigure = h('strong', { 'data-testid': 'unread-count' }, alerts.items.filter((a) => !a.read).length);

    status.replaceWith(...[
        h('ul', { class: 'figures', 'aria-label': 'Summary' },
            h('li', {}, h('strong', { 'data-testid': 'hit-count' }, hits.length), ' cases with a hit'),
            h('li', {}, h('strong', { 'data-testid': 'cross-border-count' }, crossBorder), ' of them cross-border'),
            h('li', {}, h('strong', { 'data-testid': 'contact-count' }, contactList.length), ' authorities to contact'),
            h('li', {}, unreadFigure, alerts.more ? ` unread among your newest ${(MAX_PAGES * PAGE_SIZE).toLocaleString('en-GB')} alerts` : ' unread alerts')),
        cases.more ? h('p', { class: 'hint' }, 'Only the first cases are shown; the API holds more.') : null,
        held ? h('p', { class: 'notice', role: 'status', 'data-testid': 'links-held' },
            `Hits and alerts of your cases submitted or changed since ${when(held)} are held back: your authority's own withdrawals and corrections `,
            'removed more links than the limit allows in the window. Other authorities still see their hits; ask your data steward.') : null,
        // With no hit (yet, or no more), the alerts below still tell what happened.
        hits.length === 0 ? empty('None of your cases has a hit in another authority’s cases at the moment. Links are recomputed every few minutes.') :
        h('div', { class: 'two' },
            h('section', { class: 'card', 'aria-labelledby': 'hits-title' }, h('h2', { id: 'hits-title' }, 'Your cases with a hit'),
                h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Cases with a hit' }, h('table', { 'data-testid': 'hits-table' },
                    h('thead', {}, h('tr', {}, ['Your case', 'Matched identifier types', 'Linked jurisdictions (cases)', 'Authorities to contact'].map((c) => h('th', { scope: 'col' }, c)))),
                    h('tbody', {}, hits.map((c) => h('tr', { 'data-testid': 'hit-row' },
                        h('th', { scope: 'row', 'data-testid': 'hit-case' }, c.caseId, c.crossBorder ? h('span', { class: 'badge' }, 'Cross-border') : null),
                        h('td', { 'data-testid': 'hit-types' }, typeNames(c.matchedTypes)),
                        h('td', { 'data-testid': 'hit-jurisdictions' }, c.jurisdictions.map((j) => `${j.jurisdiction}${j.domestic ? ' (domestic)' : ''}: ${j.cases}`).join(' · ')),
                        h('td', { 'data-testid': 'hit-authorities' }, [...new Set(c.jurisdictions.flatMap((j) => j.authorities))].filter((a) => a !== me.authority).join(', ') || '—'))))))),
            h('section', { class: 'card', 'aria-labelledby': 'contacts-title' }, h('h2', { id: 'contacts-title' }, 'Authorities to contact'),
                contactList.length === 0 ? empty('Every hit is within your own authority.') :
                    h('table', { 'data-testid': 'contacts-table' },
                        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Authority'), h('th', { scope: 'col' }, 'Jurisdiction'), h('th', { scope: 'col', class: 'num' }, 'Your cases'))),
                        h('tbody', {}, contactList.map((c) => h('tr', { 'data-testid': 'contact-row' },
                            h('th', { scope: 'row' }, c.authority), h('td', {}, c.domestic ? `${c.jurisdiction} (domestic)` : c.jurisdiction),
                            h('td', { class: 'num' }, c.cases.size))))))),
        alertsSection(alerts, typeNames, (unread) => { unreadFigure.textContent = unread; })].filter(Boolean));
}

/** The alerts, newest first (as loaded); onUnread(n) is told the new unread figure after "Mark all as read". */
function alertsSection({ items: alerts, more }, typeNames, onUnread) {
    const section = h('section', { class: 'card', 'aria-labelledby': 'alerts-title' }, h('h2', { id: 'alerts-title' }, 'Alerts'));
    const notice = h('div', { 'aria-live': 'polite' });
    const cut = more ? h('p', { class: 'hint', 'data-testid': 'alerts-cut' },
        `Only your newest ${alerts.length.toLocaleString('en-GB')} alerts are shown; older ones are in the API (GET /api/v1/links/alerts).`) : null;
    const render = (items) => {
        const newest = items.reduce((m, a) => Math.max(m, a.id), 0);
        const unread = items.some((a) => !a.read);
        section.replaceChildren(...[section.firstChild,
            h('p', { class: 'hint' }, 'A new alert is raised when one of your cases gets a hit in a jurisdiction or authority it had none in before. ',
                'An alert whose link has since ended (the other case was withdrawn or corrected) is marked “ended”.'),
            cut,
            items.length === 0 ? empty('No alert yet.') :
                h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Alerts' }, h('table', { 'data-testid': 'alerts-table' },
                    h('thead', {}, h('tr', {}, ['No.', 'Raised', 'Your case', 'New jurisdictions', 'New authorities', 'Identifier types', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
                    h('tbody', {}, items.map((a) => h('tr', { 'data-testid': 'alert-row', class: a.read ? 'read' : 'unread' },
                        h('td', { class: 'num', 'data-testid': 'alert-number' }, a.id),
                        h('td', {}, when(a.createdAt)), h('th', { scope: 'row' }, a.caseId), h('td', {}, a.newJurisdictions.join(', ') || '—'),
                        h('td', {}, a.newAuthorities.join(', ') || '—'), h('td', {}, typeNames(a.matchedTypes)),
                        h('td', {}, a.read ? 'read' : h('strong', {}, 'new'), a.ended ? ', ended' : '')))))),
            unread ? h('button', { type: 'button', class: 'secondary', onclick: async () => {
                try {
                    const marked = await api('/api/v1/links/alerts/read', { method: 'POST', body: { upTo: newest } });
                    render(items.map((a) => ({ ...a, read: true })));
                    onUnread(0);
                    // The button is gone with the unread alerts: focus goes to the notice, not to the page's body.
                    const said = h('p', { class: 'notice', role: 'status', tabindex: -1, 'data-testid': 'alerts-notice' }, `${marked.marked} alerts marked as read.`);
                    notice.replaceChildren(said);
                    said.focus();
                } catch (error) {
                    notice.replaceChildren(errorBox(error));
                }
            } }, 'Mark all as read') : null,
            notice].filter(Boolean));
    };
    render(alerts);
    return section;
}

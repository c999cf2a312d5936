// The shell: sign-in, navigation that follows the role, and a hash router (#/patterns, #/patterns/3, …).
import { api, credential, whenUnauthorized } from './api.js';
import { h, errorBox, loading } from './dom.js';
import { patternsPage, patternPage } from './pages/patterns.js';
import { routesPage } from './pages/routes.js';
import { matchPage } from './pages/match.js';
import { linksPage } from './pages/links.js';
import { stewardPage } from './pages/steward.js';
import { privacyPage } from './pages/privacy.js';

const PAGES = [
    { path: 'patterns', title: 'Patterns', roles: ['analyst', 'steward'], render: patternsPage },
    { path: 'routes', title: 'Routes', roles: ['analyst', 'steward'], render: routesPage },
    { path: 'match', title: 'Match', roles: ['analyst', 'steward'], render: matchPage },
    { path: 'links', title: 'Links', roles: ['prosecutor'], render: linksPage },
    { path: 'models', title: 'Models & schedules', roles: ['steward'], render: stewardPage },
    { path: 'privacy', title: 'Privacy & audit', roles: ['steward'], render: privacyPage },
];

let me = null;
let signedOutNotice = null;

// A hash that does not start with "#/" is an in-page target (the skip link's "#main"), not a page address.
const isRoute = (hash) => hash === '' || hash.startsWith('#/');

// "#/routes?from=2022" → ['routes']; the query stays in location.hash for the page to read.
const pathOf = (hash) => hash.split('?')[0].split('/').slice(1);

async function whoAmI() {
    if (me || !credential.get()) return me;
    try {
        me = await api('/api/v1/me');
    } catch (error) {
        if (error.status === 401 || error.status === 403) credential.clear();
        else throw error;
    }
    return me;
}

function renderChrome() {
    const nav = document.getElementById('nav');
    const who = document.getElementById('who');
    nav.replaceChildren();
    who.replaceChildren();
    if (!me) return;
    const current = pathOf(location.hash)[0] ?? '';
    const list = h('ul');
    for (const page of PAGES.filter((p) => p.roles.includes(me.role))) {
        list.append(h('li', {}, h('a', { href: `#/${page.path}`, 'aria-current': current === page.path ? 'page' : null }, page.title)));
    }
    nav.append(list);
    who.append(h('span', { 'data-testid': 'role' }, me.role));
    if (me.authority) who.append(h('span', { class: 'authority' }, `· ${me.authority}`));
    who.append(h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'));
}

function signOut() {
    // A steward may hold a session of the job dashboard (/hangfire): end it too. Sent with the key itself, so that a
    // refusal (a key already revoked, whose sessions have ended anyway) does not run this again.
    const secret = credential.get();
    if (me?.role === 'steward' && secret) api('/api/v1/hangfire-session', { method: 'DELETE', secret }).catch(() => {});
    credential.clear();
    me = null;
    if (location.hash === '#/sign-in') route();
    else location.hash = '#/sign-in';
}

whenUnauthorized(() => {
    if (!me) return; // already signed out, or still signing in
    signedOutNotice = { title: 'Signed out', detail: 'Your key was no longer accepted (revoked or expired). Sign in again.' };
    signOut();
});

function signInPage(main) {
    const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'key-help' });
    const message = h('div', { 'aria-live': 'polite' });
    if (signedOutNotice) message.append(errorBox(signedOutNotice));
    signedOutNotice = null;
    const form = h('form', { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
        h('h1', { id: 'sign-in-title' }, 'Sign in'),
        h('label', { for: 'api-key' }, 'API key or access token'),
        input,
        h('p', { id: 'key-help', class: 'hint' },
            'Paste the API key your data steward gave you (it starts with “ak_”), or an access token from your identity provider. ',
            'It is kept only in this browser tab and forgotten when the tab is closed.'),
        h('button', { type: 'submit' }, 'Sign in'),
        message);
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        message.replaceChildren(loading('Checking the key…'));
        try {
            const who = await api('/api/v1/me', { secret: input.value.trim() });
            credential.set(input.value.trim());
            me = who;
            location.hash = `#/${PAGES.find((p) => p.roles.includes(me.role))?.path ?? ''}`;
        } catch (error) {
            message.replaceChildren(errorBox(error.status === 401 ? { title: 'Sign-in failed', detail: 'The key was not accepted. Check it and try again.' } : error));
        }
    });
    main.append(form);
    input.focus();
}

// Each run of the router takes a number, so a page still loading when the reader moves on (or is signed out) does not
// mark the next page as ready.
let routing = 0;

async function route() {
    const run = ++routing;
    const main = document.getElementById('main');
    main.removeAttribute('data-ready');
    main.replaceChildren(loading());
    try {
        await whoAmI();
    } catch (error) {
        main.replaceChildren(errorBox(error));
        return;
    }
    const [path = '', arg] = pathOf(isRoute(location.hash) ? location.hash : '');
    renderChrome();
    main.replaceChildren();
    if (!me) {
        if (path !== 'sign-in') history.replaceState(null, '', '#/sign-in');
        signInPage(main);
        return;
    }
    const allowed = PAGES.filter((p) => p.roles.includes(me.role));
    const page = allowed.find((p) => p.path === path);
    if (!page) {
        location.replace(`#/${allowed[0]?.path ?? 'sign-in'}`);
        return;
    }
    document.title = `${page.title} · Analytics`;
    const render = page.path === 'patterns' && arg ? (m) => patternPage(m, Number(arg)) : (m) => page.render(m, me);
    try {
        await render(main);
    } catch (error) {
        if (error.status === 401) return; // api.js has already sent the reader back to sign-in
        if (run === routing) main.append(errorBox(error));
    }
    if (run !== routing) return;
    main.dataset.ready = page.path; // the page's first answers are in (tests and scripts wait for this)
    main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => {
    if (isRoute(location.hash)) route();
});
// The skip link moves focus to the content without touching the address, so the router never sees it.
document.querySelector('a.skip')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
});
route();

// The dashboard is an ordinary client of the public REST API: every figure it shows comes from these calls.

const KEY = 'analytics.credential';

export class ApiError extends Error {
    constructor(status, problem) {
        super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
        this.status = status;
        this.title = problem?.title ?? `The service answered ${status}`;
        this.detail = problem?.detail ?? '';
        this.errors = problem?.errors ?? null;
    }
}

// sessionStorage only: the credential is gone when the tab closes and is never written to disk by the page.
export const credential = {
    get: () => sessionStorage.getItem(KEY),
    set: (value) => sessionStorage.setItem(KEY, value),
    clear: () => sessionStorage.removeItem(KEY),
};

// Called when a stored credential is refused (401): the shell forgets who was signed in and shows the sign-in page.
let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/** API keys go in X-Api-Key; anything else is taken as a bearer token from the configured identity provider. */
function authHeaders(secret) {
    if (!secret) return {};
    return secret.startsWith('ak_') ? { 'X-Api-Key': secret } : { Authorization: `Bearer ${secret}` };
}

export async function api(path, { method = 'GET', body, secret } = {}) {
    const headers = { Accept: 'application/json', ...authHeaders(secret ?? credential.get()) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
        response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
        throw new ApiError(0, { title: 'The service cannot be reached', detail: 'Check the network connection and try again.' });
    }
    const text = await response.text();
    let data = null;
    if (text) {
        try { data = JSON.parse(text); } catch { data = { detail: text }; }
    }
    if (!response.ok) {
        if (response.status === 401) {
            data = { title: 'Not signed in', detail: 'The key was not accepted (missing, revoked or mistyped).' };
            // The stored key no longer works (revoked, expired token): whichever page asked, sign in again. A key being
            // tried on the sign-in form (secret given) is the form's own business.
            if (secret === undefined) {
                credential.clear();
                onUnauthorized();
            }
        }
        if (response.status === 403) data = { title: 'Not allowed', detail: 'Your role may not see this.' };
        throw new ApiError(response.status, data);
    }
    return data;
}

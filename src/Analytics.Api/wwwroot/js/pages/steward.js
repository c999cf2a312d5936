// Models & schedules (steward): versions side by side, activate / roll back, schedules with a readable cron preview,
// and the recent job runs. The privacy report and the audit verification have their own page (privacy.js).
import { api } from '../api.js';
import { h, loading, empty, errorBox, when } from '../dom.js';
import { describeCron } from '../cron.js';
const metric = (value) => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : String(value));

export async function stewardPage(main) {
    main.append(h('h1', {}, 'Models & schedules'));
    const notice = main.appendChild(h('div', { 'aria-live': 'polite', class: 'notice-area' }));
    const say = (text, ok = true) => notice.replaceChildren(h('p', { class: ok ? 'notice' : 'error', role: ok ? 'status' : 'alert' }, text));

    const models = main.appendChild(h('section', { 'aria-labelledby': 'models-title' }, h('h2', { id: 'models-title' }, 'Model versions')));
    const schedules = main.appendChild(h('section', { class: 'card', 'aria-labelledby': 'schedules-title' }, h('h2', { id: 'schedules-title' }, 'Retraining schedules')));
    const runs = main.appendChild(h('section', { class: 'card', 'aria-labelledby': 'runs-title' }, h('h2', { id: 'runs-title' }, 'Last job runs')));
    main.append(jobDashboardSection(say));

    // The newest versions of each model; older ones are a page away in the API (nextBefore).
    const versionsShown = 10;
    const loadModels = async () => {
        models.replaceChildren(models.firstChild, loading('Loading models…'));
        try {
            const list = await api(`/api/v1/models?limit=${versionsShown}`);
            models.replaceChildren(models.firstChild, h('div', { class: 'cards wide' }, list.map((m) => modelCard(m))));
        } catch (error) {
            models.replaceChildren(models.firstChild, errorBox(error));
        }
    };

    const modelCard = (model) => {
        const metricNames = [...new Set(model.versions.flatMap((v) => Object.keys(v.metrics ?? {})))];
        const act = async (path, done) => {
            try {
                const result = await api(path, { method: 'POST' });
                say(`${result.model}: version ${result.active} is now active. ${done}`);
                await loadModels();
                await loadRuns();
            } catch (error) {
                say(`${error.title}: ${error.detail}`, false);
            }
        };
        return h('article', { class: 'card', 'data-testid': `model-${model.name}`, 'aria-labelledby': `model-${model.name}-title` },
            h('h3', { id: `model-${model.name}-title` }, model.name),
            h('p', {}, 'Active: ', h('strong', { 'data-testid': 'active-version' }, model.active ?? 'none'),
                model.serving && model.serving !== model.active ? ` (serving ${model.serving})` : ''),
            model.versions.length === 0 ? empty('Not trained yet.') :
                h('div', { class: 'scroll' }, h('table', { class: 'side-by-side' },
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Version'), model.versions.map((v) => h('th', { scope: 'col' }, v.version)))),
                    h('tbody', {},
                        h('tr', {}, h('th', { scope: 'row' }, 'Status'), model.versions.map((v) => h('td', { class: `status ${v.status}` }, v.status))),
                        h('tr', {}, h('th', { scope: 'row' }, 'Registered'), model.versions.map((v) => h('td', {}, when(v.registeredAt)))),
                        h('tr', {}, h('th', { scope: 'row' }, `Primary (${model.versions[0].primaryMetric})`), model.versions.map((v) => h('td', { class: 'num' }, metric(v.primaryValue)))),
                        metricNames.map((name) => h('tr', {}, h('th', { scope: 'row' }, name), model.versions.map((v) => h('td', { class: 'num' }, v.metrics && name in v.metrics ? metric(v.metrics[name]) : '—')))),
                        h('tr', {}, h('th', { scope: 'row' }, h('span', { class: 'sr-only' }, 'Action')),
                            model.versions.map((v) => h('td', {}, v.version === model.active ? h('span', { class: 'hint' }, 'active') :
                                h('button', { type: 'button', 'data-testid': `activate-${model.name}-${v.version}`, onclick: () => act(`/api/v1/models/${model.name}/${v.version}/activate`, 'The running service swapped to it.') },
                                    `Activate ${v.version}`)))),
                        model.versions.some((v) => v.cardError) ? h('tr', {}, h('th', { scope: 'row' }, 'Model card'),
                            model.versions.map((v) => h('td', { class: 'hint' }, v.cardError ?? 'ok'))) : null))),
            model.nextBefore ? h('p', { class: 'hint' }, `The ${versionsShown} newest versions are shown; older ones: GET /api/v1/models/${model.name}?before=${model.nextBefore}`) : null,
            h('div', { class: 'actions' },
                h('button', { type: 'button', 'data-testid': `train-${model.name}`, onclick: () => train(model.name) }, 'Train now'),
                h('button', { type: 'button', class: 'secondary', onclick: () => act(`/api/v1/models/${model.name}/rollback`, 'Rolled back.') }, 'Roll back to the previous version')));
    };

    // A training asked for here is watched until its run ends: the runs table refreshes itself meanwhile, so its
    // progress ("fitting 10 class models …: 3 of 10 done") shows as it goes, and the model card shows the new version.
    let watching = null;
    const train = async (name) => {
        try {
            const before = await api(`/api/v1/jobs/runs?job=${encodeURIComponent(`train:${name}`)}&limit=50`);
            await api(`/api/v1/models/${name}/train`, { method: 'POST' });
            watching = { model: name, job: `train:${name}`, known: new Set(before.map((r) => r.id)) };
            say(`Training of ${name} queued. Its progress shows under "Last job runs".`);
            await loadRuns(true);
        } catch (error) {
            say(`${error.title}: ${error.detail}`, false);
        }
    };

    const loadSchedules = async () => {
        schedules.replaceChildren(schedules.firstChild, loading('Loading schedules…'));
        try {
            const list = await api('/api/v1/schedules');
            schedules.replaceChildren(schedules.firstChild, h('p', { class: 'hint' }, 'Times are UTC. Five fields: minute hour day-of-month month day-of-week.'),
                list.length === 0 ? empty('No schedule stored.') : h('div', { class: 'schedules' }, list.map(scheduleForm)));
        } catch (error) {
            schedules.replaceChildren(schedules.firstChild, errorBox(error));
        }
    };

    const scheduleForm = (schedule) => {
        const id = `cron-${schedule.job}`;
        const input = h('input', { id, name: id, value: schedule.cron, required: true, maxlength: 100, spellcheck: 'false', 'aria-describedby': `${id}-preview ${id}-next`, 'data-testid': id });
        const preview = h('p', { id: `${id}-preview`, class: 'preview', 'aria-live': 'polite' });
        const showPreview = () => {
            const d = describeCron(input.value);
            preview.textContent = d.text;
            preview.className = d.ok ? 'preview' : 'preview bad';
        };
        input.addEventListener('input', showPreview);
        showPreview();
        const form = h('form', { class: 'schedule', 'data-testid': `schedule-${schedule.job}` },
            h('label', { for: id }, schedule.job), h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Save')), preview,
            h('p', { id: `${id}-next`, class: 'hint' }, `Next run: ${when(schedule.nextExecutionUtc)} · changed ${when(schedule.updatedAt)} by ${schedule.updatedBy}`));
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            try {
                const saved = await api(`/api/v1/schedules/${schedule.job}`, { method: 'PUT', body: { cron: input.value } });
                say(`Schedule of ${saved.job} saved: ${describeCron(saved.cron).text} Next run ${when(saved.nextExecutionUtc)}.`);
                await loadSchedules();
            } catch (error) {
                say(error.errors ? Object.values(error.errors).flat().join(' ') : `${error.title}: ${error.detail}`, false);
            }
        });
        return form;
    };

    let refresh = null;
    const loadRuns = async (quiet = false) => {
        clearTimeout(refresh);
        if (!runs.isConnected && quiet) return;
        if (!quiet) runs.replaceChildren(runs.firstChild, loading('Loading job runs…'));
        try {
            const list = await api('/api/v1/jobs/runs?limit=15');
            runs.replaceChildren(runs.firstChild, list.length === 0 ? empty('No job has run yet.') :
                h('div', { class: 'scroll' }, h('table', { 'data-testid': 'job-runs' },
                    h('thead', {}, h('tr', {}, ['Job', 'Started', 'Finished', 'Outcome', 'Detail'].map((c) => h('th', { scope: 'col' }, c)))),
                    h('tbody', {}, list.map((r) => h('tr', {}, h('td', {}, r.jobId), h('td', {}, when(r.startedAt)), h('td', {}, when(r.finishedAt)),
                        h('td', {}, h('span', { class: `outcome ${r.outcome}` }, r.outcome)), h('td', { class: 'detail' }, r.detail ?? '')))))));
            if (watching) {
                // A skipped run is the recurring train-all finding this training in flight: it has not ended.
                const ended = list.find((r) => r.jobId === watching.job && !watching.known.has(r.id) && r.outcome !== 'running' && r.outcome !== 'skipped');
                if (ended) {
                    say(`Training of ${watching.model} ${ended.outcome}: ${ended.detail ?? ''}`, ended.outcome === 'succeeded');
                    watching = null;
                    await loadModels();
                }
            }
            // Refreshed every 2 s while a job runs or a training asked for here has not ended; never once the page is left.
            if (watching || list.some((r) => r.outcome === 'running')) refresh = setTimeout(() => loadRuns(true), 2000);
        } catch (error) {
            runs.replaceChildren(runs.firstChild, errorBox(error));
        }
    };

    await Promise.all([loadModels(), loadSchedules(), loadRuns()]);
}

// Hangfire's own dashboard (every job, queue, retry) at /hangfire. A browser does not send the key header when it opens a
// page, so the key (sent as a header, as every call) first opens a session there: a cookie that only /hangfire receives.
function jobDashboardSection(say) {
    const open = async () => {
        try {
            const session = await api('/api/v1/hangfire-session', { method: 'POST' });
            location.assign(session.path);
        } catch (error) {
            say(`${error.title}: ${error.detail}`, false);
        }
    };
    return h('section', { class: 'card', 'aria-labelledby': 'hangfire-title' },
        h('h2', { id: 'hangfire-title' }, 'Job dashboard'),
        h('p', { class: 'hint' }, 'Hangfire\'s dashboard lists every job, queue and retry. It opens in this tab, with a short session that ends when you sign out here or your key is revoked.'),
        h('div', { class: 'actions' }, h('button', { type: 'button', 'data-testid': 'open-hangfire', onclick: open }, 'Open the job dashboard')));
}

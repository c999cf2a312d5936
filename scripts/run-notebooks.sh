#!/usr/bin/env bash
# Executes every notebook in notebooks/ against a freshly started demo service, as CI does.
# Builds, starts the service with --demo on a temporary data folder, waits for the patterns API, exports the
# feature matrix, runs each notebook with nbconvert --execute and stops the service. Exits non-zero if any fails.
# Needs the .NET SDK and Debian's python3-pandas python3-matplotlib python3-sklearn python3-nbconvert
# python3-ipykernel jupyter-nbconvert (run with /usr/bin/python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-/usr/bin/python3}"
PORT="${PORT:-5097}"
WAIT_SECONDS="${WAIT_SECONDS:-180}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/analytics-notebooks.XXXXXX")"
OUT="${NOTEBOOK_OUTPUT_DIR:-$TMP/executed}"
mkdir -p "$TMP/data/keys" "$TMP/models" "$OUT"
SERVICE_PID=""

stop_service() {
    if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
        # The service runs in its own process group (setsid): end that group only.
        kill -TERM -- "-$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "-$SERVICE_PID" 2>/dev/null || true
    fi
}
trap stop_service EXIT

echo "== build"
dotnet build src/Analytics.Api/Analytics.Api.csproj -nologo -v quiet
dotnet build src/Analytics.Cli/Analytics.Cli.csproj -nologo -v quiet

echo "== start the demo service on 127.0.0.1:$PORT (data in $TMP)"
export Urls="http://127.0.0.1:$PORT"
export Database__Provider="sqlite"
export Database__ConnectionString="Data Source=$TMP/data/analytics.db"
export Pseudonymisation__KeyFile="$TMP/data/keys/pseudonymisation.json"
export Pseudonymisation__CreateKeyFileIfMissing="true"
export FirstRun__KeysFile="$TMP/data/first-run-keys.txt"
export Learning__ModelsRoot="$TMP/models"
setsid dotnet run --no-build --project src/Analytics.Api -- --demo >"$TMP/service.log" 2>&1 &
SERVICE_PID=$!

URL="http://127.0.0.1:$PORT"
KEY=""
deadline=$((SECONDS + WAIT_SECONDS))
status=""
while (( SECONDS < deadline )); do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
        echo "the service exited; log:" >&2; tail -n 50 "$TMP/service.log" >&2; exit 1
    fi
    if [[ -z "$KEY" && -f "$FirstRun__KeysFile" ]]; then
        KEY="$(awk '$1=="analyst"{print $3; exit}' "$FirstRun__KeysFile")"
    fi
    if [[ -n "$KEY" ]]; then
        status="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $KEY" "$URL/api/v1/patterns" || true)"
        [[ "$status" == "200" ]] && break
    fi
    sleep 2
done
if [[ "$status" != "200" ]]; then
    echo "GET /api/v1/patterns did not answer 200 within ${WAIT_SECONDS} s (last: ${status:-none}); log:" >&2
    tail -n 50 "$TMP/service.log" >&2
    exit 1
fi
echo "service ready after ${SECONDS} s"
# The aggregates behind trends and routes are refreshed right after the first training: give them a moment.
for _ in $(seq 1 30); do
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $KEY" "$URL/api/v1/insights/emerging" || true)"
    [[ "$code" == "200" ]] && break
    sleep 2
done

echo "== export the feature matrix"
dotnet run --no-build --project src/Analytics.Cli -- export features --count 2000 --seed 42 --out "$TMP/features.csv"

echo "== execute the notebooks"
export ANALYTICS_URL="$URL" ANALYTICS_KEY="$KEY" FEATURES_CSV="$TMP/features.csv" MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1
failed=0
for notebook in notebooks/*.ipynb; do
    if "$PYTHON" -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
        --output-dir "$OUT" "$notebook" >"$TMP/$(basename "$notebook").log" 2>&1; then
        echo "ok      $notebook"
    else
        echo "FAILED  $notebook" >&2
        tail -n 40 "$TMP/$(basename "$notebook").log" >&2
        failed=1
    fi
done
echo "executed notebooks: $OUT"
exit $failed

#!/usr/bin/env bash
# Submits a torchstream job to the session cluster once, and exits 0 when it runs.
#
#   submit-job.sh JOB.yaml [--set KEY=VALUE]...        (in the image: /opt/torchstream/bin/submit-job.sh)
#
# Environment: FLINK_REST (default jobmanager:8081), JOB_JAR (default /opt/torchstream/torchstream-job.jar),
# SUBMIT_TIMEOUT_S (default 120).
#
# Idempotent: a job of the same name that is already running (or being scheduled) is left alone, so that
# `docker compose up` again neither starts a second reader of the consumer group nor a second writer with the
# same transactional ids.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 JOB.yaml [--set KEY=VALUE]..." >&2
  exit 2
fi
job_file="$1"
rest="${FLINK_REST:-jobmanager:8081}"
jar="${JOB_JAR:-/opt/torchstream/torchstream-job.jar}"
timeout_s="${SUBMIT_TIMEOUT_S:-120}"

# The job's name is the `name:` of its YAML file (TorchstreamJob runs env.execute(name)).
job_name="$(sed -n 's/^name:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$job_file" | head -n 1)"
if [[ -z "$job_name" ]]; then
  echo "submit-job: $job_file has no top-level name:" >&2
  exit 2
fi

# `flink list` prints "<date> : <job id> : <name> (<state>)" for running and scheduled jobs.
active() {
  flink list -m "$rest" 2>/dev/null | grep -E " : ${job_name} \((CREATED|INITIALIZING|RUNNING|RESTARTING)\)\$"
}

if active; then
  echo "submit-job: '$job_name' is already running on $rest; not submitting it again"
  exit 0
fi

echo "submit-job: submitting '$job_name' ($job_file) to $rest"
# Detached: the job is streaming and never ends. The job list below, not flink's exit status, decides: a main()
# that reads accumulators of the detached result fails *after* the job was submitted (InvalidProgramException:
# "Job was submitted in detached mode..."), as TorchstreamJob.main did while it always printed its summary.
set +e
flink run -m "$rest" -d "$jar" "$@" 2>&1
status=$?
set -e

deadline=$((SECONDS + timeout_s))
while ((SECONDS < deadline)); do
  if active; then
    echo "submit-job: '$job_name' is running (flink run exited with $status)"
    exit 0
  fi
  sleep 2
done
echo "submit-job: '$job_name' is not running after ${timeout_s}s (flink run exited with $status); see its output above" >&2
exit 1

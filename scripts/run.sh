#!/usr/bin/env bash
# `make run`: the web server and one export worker side by side in this terminal.
# Both log here. Ctrl-C (or a TERM to this script) stops both; if either stops on its own,
# the other is stopped too. Usage: scripts/run.sh [ADDRESS:PORT]   (PYTHON=.venv/bin/python)
set -u -m  # -m: each child gets a process group of its own, so a stop reaches its children too

python=${PYTHON:-.venv/bin/python}
export PYTHONUNBUFFERED=1  # log lines appear as they happen, also through a pipe
address=${1:-127.0.0.1:8000}

# stdin from /dev/null: children in their own process groups must not touch the terminal.
"$python" manage.py runserver "$address" </dev/null &
web=$!
# The worker also sends reminders, alerts and digests: a job that enqueues its own next run
# every 5 minutes (nudges/tasks.py); a second chain, from an earlier start, ends itself.
"$python" manage.py send_nudges --schedule </dev/null
# The worker yields the CPU to the web server (nice) and looks for work every 0.25 s.
nice -n 10 "$python" manage.py db_worker --no-startup-delay --interval 0.25 </dev/null &
worker=$!

alive() { kill -0 -- "-$1" 2>/dev/null; }

stop() {
  local status=$1
  trap - INT TERM
  echo "Stopping the web server and the export worker..."
  kill -TERM -- "-$web" "-$worker" 2>/dev/null
  # The worker finishes the PDF it is making first; give it a while, then insist.
  for _ in $(seq 100); do
    alive "$web" || alive "$worker" || exit "$status"
    sleep 0.1
  done
  kill -KILL -- "-$web" "-$worker" 2>/dev/null
  exit "$status"
}

trap 'stop 0' INT TERM
wait -n  # returns when either stops (a signal to this script runs the trap instead)
stop $?

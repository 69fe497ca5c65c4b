"""A Job's own output (its events, its `status:`, its settings) and the pods it names.

`kubectl describe job` events are about the Job, not a pod, yet they tell a pod's life: `Created pod: X`,
`Deleted pod: X`, and why the Job gave up (`Job was active longer than specified deadline`, `Job has
reached the specified backoff limit`). This pass gives them to the Job (an entry named after it, every
observation marked ``job: <name>``) and a copy to each pod they name (marked ``via_job``), so each pod's
timeline holds what its Job's controller said about it. A Job's pasted `status:` block and its
`backoffLimit` / `activeDeadlineSeconds` become marks of the Job (k8s-stuck-pods.md 9.7.2).
"""

from __future__ import annotations

import re
from dataclasses import replace

from kubectl_podlife.lazyre import lazy_compile
from kubectl_podlife.observation import CLOCK_NONE, EVENT, MARK, ROW, SPEC, UNNAMED, Observation, PodKey

JOB_SOURCE = "job-controller"
_NAMES_POD = lazy_compile(r"^(?:Created|Deleted) pod: ([a-z0-9][-a-z0-9.]*)\s*$")
_JOB_MESSAGE = re.compile(r"^Job (?:was active longer than|has reached the specified backoff limit|completed)|"
                          r"^Too many active pods running")
# Job settings a reader quotes on a line of their own (course notes, issues): `activeDeadlineSeconds: 60`.
JOB_FIELDS = ("backoffLimit", "activeDeadlineSeconds", "completions", "parallelism", "ttlSecondsAfterFinished")
_FIELD_LINE = lazy_compile(r"^\s*(" + "|".join(JOB_FIELDS) + r"):\s*(\d+)\s*$")
# The same settings as `kubectl describe job` prints them (`Backoff Limit:    4`, `Active Deadline Seconds:  60s`).
_DESCRIBE_FIELDS = {"Backoff Limit": "backoffLimit", "Active Deadline Seconds": "activeDeadlineSeconds",
                    "Completions": "completions", "Parallelism": "parallelism"}
_DESCRIBE_LINE = lazy_compile(r"^(" + "|".join(_DESCRIBE_FIELDS) + r"):\s+(\d+)s?\s*$")
# A `get pods` command that watches: its rows are printed at different times, so their AGEs are not one listing's.
_WATCH = lazy_compile(r"(?:^|\s)(?:-w|--watch|--watch-only)(?:\s|=|$)")
# Pods of a Job are named <job>-<5 characters> (generateName).
_GENERATED = lazy_compile(r"^(.+)-[a-z0-9]{5}$")
# Job condition types (a Pod's are PodScheduled, Ready, ...): they tell a Job's status block from a Pod's.
_JOB_CONDITIONS = ("Failed", "Complete", "FailureTarget", "SuccessCriteriaMet", "Suspended")


def is_job_event(o: Observation) -> bool:
    if o.kind != EVENT:
        return False
    if str(o.data.get("source") or "").split(",")[0].strip() == JOB_SOURCE or str(
            o.data.get("object") or "").startswith("job/"):
        return True
    return str(o.data.get("reason") or "") == "BackoffLimitExceeded" or bool(
        _JOB_MESSAGE.search(str(o.data.get("message") or "")))


def _named_pod(o: Observation) -> str | None:
    m = _NAMES_POD.match(str(o.data.get("message") or "").strip())
    return m.group(1) if m else None


def attribute(obs: list[Observation], lines: list[str], source: str, next_seq,
              tables: list[list[Observation]] = ()) -> list[Observation]:
    """The Job's observations under the Job's name, and a copy of each Job event for the pods it names.
    `tables` are the source's `get pods` tables: one that lists the Job's pods gives the Job their ages."""
    job_events = [o for o in obs if is_job_event(o)]
    if not job_events:
        return obs
    job_specs = [o for o in obs if o.kind == SPEC and o.data.get("object_kind") == "Job" and o.data.get("object_name")]
    # The entry a Job's events are under: the Job a command named (describe job x), else an unnamed one.
    entries = list(dict.fromkeys(o.pod for o in job_events))
    renamed: dict[PodKey, PodKey] = {}
    jobs: list[PodKey] = []
    for key in entries:
        pods = [p for o in job_events if o.pod == key for p in [_named_pod(o)] if p]
        name = key.name
        if name.startswith(UNNAMED) or not name:
            name = _job_name(pods, job_specs)
            if name is None:
                continue
        # its namespace: the command's (describe job -n x), else its manifest's
        ns = key.namespace or next((s.pod.namespace for s in job_specs if s.data["object_name"] == name), None)
        job = PodKey(name=name, namespace=ns)
        renamed[key] = job
        jobs.append(job)
    if not jobs:
        return obs
    out: list[Observation] = []
    copies: list[Observation] = []
    for o in obs:
        if o.pod in renamed and is_job_event(o):
            o = replace(o, pod=renamed[o.pod], data={**o.data, "job": renamed[o.pod].name})
        out.append(o)
    job_obs = [o for o in out if o.kind != SPEC and o.data.get("job")]
    marks = _settings(job_specs, lines, source, jobs, next_seq) + _status_blocks(lines, source, jobs, next_seq)
    out += marks
    for job in jobs:
        mine = [o for o in job_obs + marks if o.pod == job]
        pods = list(dict.fromkeys(p for o in mine if o.kind == EVENT for p in [_named_pod(o)] if p))
        for p in pods:
            pod = PodKey(name=p, namespace=job.namespace)
            for o in mine:
                named = _named_pod(o) if o.kind == EVENT else None
                if named is None or named == p:  # its own Created/Deleted event, and the Job-wide ones
                    data = {k: v for k, v in o.data.items() if k != "job"}
                    copies.append(replace(o, pod=pod, data={**data, "via_job": job.name}, seq=next_seq()))
    return out + copies + _listing_marks(tables, lines, jobs, job_obs, next_seq)


def _listing_marks(tables, lines: list[str], jobs: list[PodKey], job_obs: list[Observation], next_seq) -> list:
    """One `kubectl get pods` listing of a Job's pods (each once, no watch): their AGEs, for the back-off between
    them (model/jobtiming.py). A pod is the Job's when its events name it or it is named <job>-<5 characters>."""
    out = []
    for job in jobs:
        named = {p for o in job_obs if o.pod == job and o.kind == EVENT for p in [_named_pod(o)] if p}
        for rows in tables:
            mine = [o for o in rows if o.kind == ROW and o.t_lo is not None and o.t_hi is not None
                    and (o.pod.namespace is None or job.namespace is None or o.pod.namespace == job.namespace)
                    and (o.pod.name in named or (_GENERATED.match(o.pod.name) or [None, None])[1] == job.name)]
            names = [o.pod.name for o in mine]
            if len(mine) < 2 or len(set(names)) != len(names) or any(o.data.get("watch_event") for o in rows):
                continue
            first = _line_no(rows[0].origin)
            if first is None or _WATCH.search(" ".join(lines[max(0, first - 3):first - 1])):
                continue
            out.append(Observation(
                kind=MARK, pod=job, origin=mine[0].origin, raw="\n".join(o.raw for o in mine), clock=CLOCK_NONE,
                seq=next_seq(), data={"what": "job-pod-ages", "job": job.name,
                                      "pods": [{"pod": o.pod.name, "age": [o.t_lo, o.t_hi], "origin": o.origin,
                                                "status": o.data.get("status")} for o in mine]}))
    return out


def _line_no(origin: str) -> int | None:
    tail = origin.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _job_name(pods: list[str], specs: list[Observation]) -> str | None:
    """The Job an unnamed entry's events belong to: a Job manifest its pods are named after, else their prefix."""
    for s in specs:
        name = s.data["object_name"]
        if pods and all(p.startswith(name + "-") for p in pods):
            return name
    prefixes = {m.group(1) for p in pods for m in [_GENERATED.match(p)] if m}
    if len(prefixes) == 1 and all(_GENERATED.match(p) for p in pods):
        return prefixes.pop()
    if len(specs) == 1 and not pods:
        return specs[0].data["object_name"]
    return None


def _settings(specs: list[Observation], lines: list[str], source: str, jobs: list[PodKey], next_seq) -> list:
    """backoffLimit, activeDeadlineSeconds, ... of each Job: from its manifest, else from lines quoting them."""
    out = []
    for job in jobs:
        spec = next((s for s in specs if s.data["object_name"] == job.name), None)
        fields: dict = {}
        where: dict = {}
        origin = raw = None
        if spec is not None:
            fields = _manifest_fields(spec.raw)
            origin, raw = spec.origin, spec.raw
        elif len(jobs) == 1 and not specs:
            # A source about one Job with no manifest: `activeDeadlineSeconds: 60` quoted on its own line.
            for i, line in enumerate(lines):
                m = _FIELD_LINE.match(line) or _DESCRIBE_LINE.match(line)
                field = _DESCRIBE_FIELDS.get(m.group(1), m.group(1)) if m else None
                if field and field not in fields:
                    fields[field] = int(m.group(2))
                    where[field] = f"{source}:{i + 1}"
                    origin = origin or f"{source}:{i + 1}"
                    raw = (raw + "\n" if raw else "") + line.strip()
        if fields:
            out.append(Observation(kind=MARK, pod=job, origin=origin, raw=raw or "", clock=CLOCK_NONE,
                                   seq=next_seq(), data={"what": "job-settings", "job": job.name,
                                                         "fields": fields, "origins": where or
                                                         {k: origin for k in fields},
                                                         "from": "manifest" if spec else "text"}))
    return out


def _manifest_fields(raw: str) -> dict:
    """The Job-level fields of a Job manifest's text (not its pod template's)."""
    try:
        import yaml

        doc = yaml.safe_load(raw)
    except Exception:  # a damaged manifest: the fields at the Job spec's indentation, read line by line
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("spec"), dict):
        return {k: v for k, v in doc["spec"].items() if k in JOB_FIELDS and isinstance(v, int)}
    out: dict = {}
    for line in raw.splitlines():
        m = re.match(r"^  (" + "|".join(JOB_FIELDS) + r"):\s*(\d+)\s*$", line)
        if m:
            out.setdefault(m.group(1), int(m.group(2)))
    return out


def _status_blocks(lines: list[str], source: str, jobs: list[PodKey], next_seq) -> list:
    """A pasted `status:` block with Job conditions (Failed, Complete, ...) is the Job's, when one Job is known."""
    if len(jobs) != 1:
        return []
    out = []
    i, n = 0, len(lines)
    while i < n:
        if lines[i].rstrip() != "status:":
            i += 1
            continue
        j = i + 1
        while j < n and (lines[j].startswith((" ", "-")) and lines[j].strip()):
            j += 1
        block = "\n".join(lines[i:j])
        try:
            import yaml

            doc = yaml.safe_load(block)
        except Exception:
            doc = None
        status = doc.get("status") if isinstance(doc, dict) else None
        conds = status.get("conditions") if isinstance(status, dict) else None
        if isinstance(conds, list) and any(isinstance(c, dict) and c.get("type") in _JOB_CONDITIONS for c in conds):
            data = {"what": "job-status", "job": jobs[0].name,
                    "conditions": {str(c.get("type")): {k: c.get(k) for k in ("status", "reason", "message")}
                                   for c in conds if isinstance(c, dict) and c.get("type")},
                    "counts": {k: status[k] for k in ("failed", "succeeded", "active") if isinstance(status.get(k), int)}}
            out.append(Observation(kind=MARK, pod=jobs[0], origin=f"{source}:{i + 1}", raw=block, clock=CLOCK_NONE,
                                   seq=next_seq(), data=data))
        i = max(j, i + 1)
    return out


def object_marks(job: dict, origin: str, seq: int) -> list[Observation]:
    """A Job API object (`kubectl get job x -o yaml|json`): its settings and its status as the Job's marks."""
    meta = job.get("metadata") if isinstance(job.get("metadata"), dict) else {}
    spec = job.get("spec") if isinstance(job.get("spec"), dict) else {}
    status = job.get("status") if isinstance(job.get("status"), dict) else {}
    name = str(meta.get("name") or "")
    if not name:
        return []
    key = PodKey(name=name, namespace=meta.get("namespace"))
    out = []
    fields = {k: v for k, v in spec.items() if k in JOB_FIELDS and isinstance(v, int) and not isinstance(v, bool)}
    if fields:
        out.append(Observation(kind=MARK, pod=key, origin=origin, raw=f"Job {name} spec: {fields}", clock=CLOCK_NONE,
                               seq=seq, data={"what": "job-settings", "job": name, "fields": fields,
                                              "from": "manifest"}))  # each field's origin: the mark's own
    conds = status.get("conditions") if isinstance(status.get("conditions"), list) else []
    counts = {k: status[k] for k in ("failed", "succeeded", "active")
              if isinstance(status.get(k), int) and not isinstance(status.get(k), bool)}
    if conds or counts:
        out.append(Observation(
            kind=MARK, pod=key, origin=origin, raw=f"Job {name} status: {counts}", clock=CLOCK_NONE, seq=seq + 1,
            data={"what": "job-status", "job": name, "counts": counts,
                  "conditions": {str(c.get("type")): {k: c.get(k) for k in ("status", "reason", "message")}
                                 for c in conds if isinstance(c, dict) and c.get("type")}}))
    return out

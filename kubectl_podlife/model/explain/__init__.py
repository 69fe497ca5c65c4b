"""Why each transition happened, by the kubelet's rules: cause, probe, grace, back-off, timing.

Every explanation says how sure it is: `observed` (an event or state says so), `inferred` (the
spec and the timing agree with only this cause), `assumed-default` (it rests on a default because
an input is missing, e.g. no manifest so failureThreshold=3 is assumed); and which inputs were
missing.
"""

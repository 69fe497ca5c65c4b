"""The flags of the commands that have many (`watch`, `simulate`), spelled as kubectl spells them.

Only argparse and leaf modules are imported here: `kubectl podlife --help` must not pay for capture,
the simulator or the model (issue 12, start-up).
"""

from __future__ import annotations

import argparse

from kubectl_podlife.behaviour import BEHAVIOUR_FLAGS, SIGTERM_CHOICES
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.lazyre import lazy_compile


def add_watch_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of `kubectl podlife watch`, spelled as kubectl spells them."""
    p.add_argument("pods", nargs="*", metavar="POD", help="pod names to watch (default: every pod in the namespace)")
    p.add_argument("-n", "--namespace", help="the namespace (default: the context's namespace, else default)")
    p.add_argument("-A", "--all-namespaces", action="store_true", help="watch pods in every namespace")
    p.add_argument("-l", "--selector", help="label selector, e.g. app=web,tier!=cache")
    p.add_argument("--field-selector", help="field selector for pods, e.g. status.phase=Running,spec.nodeName=node1")
    p.add_argument("--context", help="the kubeconfig context to use")
    p.add_argument("--kubeconfig", help="path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
    p.add_argument("--request-timeout", default="0",
                   help="how long to wait for one list request, e.g. 30s, 1m (0 = no limit)")
    p.add_argument("--no-tui", action="store_true", help="print each explained transition on one line instead of the TUI")
    p.add_argument("--keep-env", action="store_true",
                   help="store env values and container args as given (by default only that a value was present, "
                        "valueFrom references, and the words of args that explanations read)")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text",
                   help="with --no-tui: text lines or one JSON object per line")
    p.add_argument("--no-logs", action="store_true",
                   help="do not fetch the last log lines of each container that exits (GET pods/log, read-only)")


def parse_request_timeout(text: str | None) -> float | None:
    """kubectl's --request-timeout: `30s`, `1m`, `1h30m`, a bare number of seconds; 0 = no timeout."""
    from kubectl_podlife.timefmt import parse_go_duration

    s = (text or "0").strip()
    seconds: float | None
    try:
        seconds = float(s)
    except ValueError:
        seconds = parse_go_duration(s)
    if seconds is None or seconds < 0:
        raise PodlifeError(f'--request-timeout "{text}": expected a duration like 30s, 1m or 0 (no timeout)')
    return seconds or None


def add_simulate_arguments(sp: argparse.ArgumentParser) -> None:
    sp.description = ("Run the kubelet's rules forward from a pod manifest and print the predicted timeline, "
                      "explained like `explain` (every transition marked predicted). Also: what-if edits (--set), "
                      "a comparison with a recording (--against), and a generator of large sessions (--pods).")
    sp.formatter_class = argparse.RawDescriptionHelpFormatter
    sp.epilog = """examples:
  kubectl podlife simulate pod.yaml --for 5m
  kubectl podlife simulate pod.yaml --set containers[0].livenessProbe.failureThreshold=5
  kubectl podlife simulate pod.yaml --liveness-fails-from 0s --sigterm ignored -o json
  kubectl podlife simulate pod.yaml --against get-w.txt describe.txt
  kubectl podlife simulate --pods 1000 --out big.jsonl --seed 1
times in behaviour flags are measured from each container start; --tick-phase is on the pod clock."""
    sp.add_argument("manifest", nargs="?", metavar="POD.yaml",
                    help="a Pod manifest (or a saved transcript holding one); - for stdin")
    sp.add_argument("--pod", metavar="NAME", help="which Pod of the file (default: every Pod in it)")
    sp.add_argument("--for", dest="duration", metavar="DURATION", default=None,
                    help="how long to simulate, a kubectl duration (default 10m; with --against: the recording's "
                         "length + 1m)")
    sp.add_argument("-o", "--output", choices=("text", "markdown", "json"), default="text")
    sp.add_argument("--tui", action="store_true", help="open the predicted timeline in the replay TUI")
    g = sp.add_argument_group("container behaviour (default: what the container's command says)")
    g.add_argument("--container", metavar="NAME", help="the container the behaviour flags describe (default: the "
                                                       "first app container)")
    for flag, text in BEHAVIOUR_FLAGS:
        g.add_argument(f"--{flag}", metavar="DURATION", help=text)
    g.add_argument("--exit-code", type=int, metavar="N", help="exit code for --exits-after (default 0)")
    g.add_argument("--image-pull-fails", action="store_true", help="every pull of the container's image fails")
    g.add_argument("--sigterm", choices=SIGTERM_CHOICES, default=None,
                   help="whether PID 1 handles SIGTERM (auto: from the command and image; unknown: handled)")
    g.add_argument("--behaviour", "--behavior", dest="behaviour", metavar="FILE",
                   help="YAML: {containers: {NAME: {liveness_fails_from: 3, exits_after: 5, exit_code: 1, oom_at: 40, "
                        "image_pull_fails: true, sigterm: ignored, ...}}}")
    g.add_argument("--tick-phase", metavar="SECONDS",
                   help="pod-clock time of the probe workers' first tick (default: the pod's admission)")
    w = sp.add_argument_group("what if")
    w.add_argument("--set", dest="sets", action="append", default=[], metavar="PATH=VALUE",
                   help="change the spec first, e.g. containers[0].livenessProbe.failureThreshold=5, restartPolicy="
                        "Never, terminationGracePeriodSeconds=10, initContainers[0].image=busybox (repeatable)")
    a = sp.add_argument_group("predicted against observed")
    a.add_argument("--against", nargs="+", metavar="FILE", help="saved kubectl output of the same pod to compare with")
    a.add_argument("--session", metavar="ID", help='a stored session to compare with (a number or "latest")')
    gen = sp.add_argument_group("generator")
    gen.add_argument("--pods", type=int, metavar="N", help="write N simulated pods (a mix of the seed scenarios)")
    gen.add_argument("--out", metavar="FILE", help="where to write them (- for stdout)")
    gen.add_argument("--format", choices=("jsonl", "get-w"), default="jsonl",
                     help="jsonl: podlife's JSONL export; get-w: a `kubectl get pods -w` table")
    gen.add_argument("--seed", type=int, metavar="S", help="random seed (same seed, same file)")


def add_pod_selection_arguments(p: argparse.ArgumentParser) -> None:
    """`-n`, `-A` and `--pod` of `explain` and `replay`: which pods of saved input or a session to read."""
    ns = p.add_mutually_exclusive_group()
    ns.add_argument("-n", "--namespace", help="only pods in this namespace (pods printed without one are read as "
                                              "default)")
    ns.add_argument("-A", "--all-namespaces", action="store_true",
                    help="pods in every namespace (the default for saved input)")
    p.add_argument("--pod", metavar="NAME", help="only pods matching NAME or NAMESPACE/NAME; a glob such as "
                                                 "'web-*' or 'prod/*' selects several")


def pod_selector(args: argparse.Namespace):
    """The PodSelector of the flags above."""
    from kubectl_podlife.selection import PodSelector

    return PodSelector(namespace=getattr(args, "namespace", None), pod=getattr(args, "pod", None))


def add_sessions_arguments(sp: argparse.ArgumentParser) -> None:
    """`sessions [-o json|name]`, `sessions rm ID...`, `sessions prune --older-than 7d`."""
    sp.add_argument("-o", "--output", choices=("json", "name"),
                    help="json: every session's fields; name: session/ID, one a line (default: a table)")
    actions = sp.add_subparsers(dest="action", metavar="ACTION")
    rm = actions.add_parser("rm", help="delete sessions with their observations",
                            description="Delete stored sessions: their observations, pods, warnings and cached "
                                        "timelines, in one transaction. Every ID is checked first; an unknown one "
                                        "deletes nothing.")
    rm.set_defaults(parser=rm)
    rm.add_argument("ids", nargs="+", metavar="ID", help='a session id as `sessions` lists it, session/ID, or "latest"')
    prune = actions.add_parser("prune", help="delete the sessions older than a duration",
                               description="Delete every stored session created longer ago than --older-than "
                                           "(a session still being written is kept).")
    prune.set_defaults(parser=prune)
    prune.add_argument("--older-than", required=True, metavar="DURATION", type=older_than,
                       help="a duration as kubectl prints ages: 90s, 10m, 3h, 7d (or 1d12h)")


_DURATION = lazy_compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def older_than(text: str) -> tuple[float, str]:
    """`7d`, `3h`, `10m`, `90s`, `1d12h` -> (seconds, the text as given)."""
    m = _DURATION.fullmatch(text.strip())
    if not m or not any(m.groups()):
        raise argparse.ArgumentTypeError(f'"{text}" is not a duration; expected e.g. 90s, 10m, 3h or 7d')
    d, h, mi, s = (int(g or 0) for g in m.groups())
    return float(((d * 24 + h) * 60 + mi) * 60 + s), text.strip()

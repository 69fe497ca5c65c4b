"""One pod, whatever printed it: `-o json` carries a uid, describe and get -w text do not."""

from __future__ import annotations

import json
from pathlib import Path

from kubectl_podlife.pipeline import timeline_for_files

DESCRIBE = """\
$ kubectl describe pod api-7c9d
Name:         api-7c9d
Namespace:    shop
Start Time:   {start}
Status:       Running
Containers:
  api:
    Image:          registry.example.com/api:3
    State:          Running
      Started:      {start}
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
    Ready:          True
    Restart Count:  2
Events:
  Type     Reason     Age   From               Message
  ----     ------     ----  ----               -------
  Normal   Scheduled  2m    default-scheduler  Successfully assigned shop/api-7c9d to n2
  Warning  BackOff    30s   kubelet            Back-off restarting failed container api in pod api-7c9d_shop(x)
"""


def pod_json(created: str, uid: str = "3f1c9a52-0000-4000-8000-000000000001") -> str:
    return json.dumps({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "api-7c9d", "namespace": "shop", "uid": uid, "creationTimestamp": created},
        "spec": {"containers": [{"name": "api", "image": "registry.example.com/api:3"}]},
        "status": {"phase": "Running", "startTime": created,
                   "containerStatuses": [{"name": "api", "ready": True, "restartCount": 2,
                                          "image": "registry.example.com/api:3",
                                          "state": {"running": {"startedAt": created}},
                                          "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}}]},
    })


def pods(tmp_path: Path, *texts: str) -> list[str]:
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"{i}.txt"
        path.write_text(text)
        paths.append(str(path))
    timeline, _ = timeline_for_files(paths)
    return [p.display for p in timeline.pods]


def test_json_and_describe_of_one_pod_are_one_pod(tmp_path: Path) -> None:
    assert pods(tmp_path, pod_json("2026-11-20T10:00:00Z"),
                DESCRIBE.format(start="Fri, 20 Nov 2026 10:00:01 +0000")) == ["shop/api-7c9d"]


def test_describe_of_an_earlier_pod_with_the_same_name_stays_its_own_pod(tmp_path: Path) -> None:
    """The describe shows a pod that started an hour before the JSON pod was created: the name was reused."""
    assert len(pods(tmp_path, pod_json("2026-11-20T11:00:00Z"),
                    DESCRIBE.format(start="Fri, 20 Nov 2026 10:00:00 +0000"))) == 2


def test_text_joins_the_newest_of_several_pods_created_before_it(tmp_path: Path) -> None:
    first = pod_json("2026-11-20T09:00:00Z", uid="3f1c9a52-0000-4000-8000-00000000000a")
    second = pod_json("2026-11-20T10:00:00Z", uid="3f1c9a52-0000-4000-8000-00000000000b")
    timeline, _ = timeline_for_files([str(p) for p in _write(tmp_path, first, second,
                                                             DESCRIBE.format(start="Fri, 20 Nov 2026 10:00:02 +0000"))])
    by_uid = {p.uid: p for p in timeline.pods}
    assert sorted(by_uid) == ["3f1c9a52-0000-4000-8000-00000000000a", "3f1c9a52-0000-4000-8000-00000000000b"]
    describe_lines = {uid: [t for t in p.transitions if any("2.txt" in e.origin for e in t.evidence)]
                      for uid, p in by_uid.items()}
    assert describe_lines["3f1c9a52-0000-4000-8000-00000000000b"]
    assert not describe_lines["3f1c9a52-0000-4000-8000-00000000000a"]


def _write(tmp_path: Path, *texts: str) -> list[Path]:
    out = []
    for i, text in enumerate(texts):
        out.append(tmp_path / f"{i}.txt")
        out[-1].write_text(text)
    return out

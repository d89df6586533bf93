"""One case from start to verdict: the prediction, the real run and everything it started, cleaned up."""

from __future__ import annotations

from types import TracebackType

from .catalog import Case
from .cluster import LabCluster
from .outcome import Outcome, differences
from .processes import Children
from .real import Progress, Silent, run_real
from .scenarios import predict
from .target import Target


class RealRun:
    """A case's real run; leaving the block kills its processes and removes its topic, however it ends."""

    def __init__(self, case: Case, target: Target) -> None:
        """Nothing starts until the with block is entered."""
        self.case = case
        self.target = target
        self.children = Children()
        self.cluster: LabCluster | None = None
        self.stopped = 0               # client processes still running at the end, killed
        self.removed: list[str] = []   # topics deleted from a real cluster

    def __enter__(self) -> "RealRun":
        """Open the cluster (on the mock: create it, with the case's broker round trip)."""
        rtt = getattr(self.case.run, "broker_rtt_ms", 0)  # only the producer labs slow the brokers
        self.cluster = LabCluster(self.target, rtt)
        return self

    def run(self, progress: Progress) -> Outcome:
        """Run the case with the real client."""
        assert self.cluster is not None, "use RealRun in a with block"
        return run_real(self.case, self.cluster, self.children, progress)

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Kill what still runs, then delete the topic (a killed client cannot recreate it)."""
        self.stopped = self.children.stop_all()
        if self.cluster is not None:
            self.removed = self.cluster.close()


def compare(case: Case, target: Target | None = None,
            progress: Progress | None = None) -> tuple[Outcome | None, Outcome, list[str]]:
    """Predict, run for real, and diff: (predicted, real, differences); predicted is None (and there are no
    differences) when the simulator cannot model the case."""
    target = target or Target()
    predicted = predict(case, target)
    with RealRun(case, target) as run:
        real = run.run(progress or Silent())
    return predicted, real, differences(predicted, real) if predicted else []

"""The gait plot, drawn from the stored report."""

from __future__ import annotations

from taut.core.errors import NotAvailable
from taut.motion.models import GaitVideo


def plot_png(video: GaitVideo) -> bytes:
    """The joint-angle plot of the stored report (NotAvailable while the analysis is not done)."""
    import io

    from taut.core.measures import gait_plot

    if video.status != GaitVideo.Status.DONE or not video.report:
        raise NotAvailable("no_report", "This video has no report yet.")
    out = io.BytesIO()
    gait_plot.plot(video.report, out)
    return out.getvalue()

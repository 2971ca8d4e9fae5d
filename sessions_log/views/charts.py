"""Server-rendered SVG charts for the progress page: plain geometry handed to a
template, no JavaScript and nothing fetched from elsewhere."""

from dataclasses import dataclass, field

from django.utils import timezone

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 36, 14, 40


@dataclass
class Series:
    name: str
    css: str
    points: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


@dataclass
class Chart:
    title: str
    series: list[Series]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    top: int = TOP


def _scale(low: float, high: float, count: int):
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (span_x / 2 if count <= 1 else span_x * i / (count - 1))

    def y(value: float) -> float:
        return TOP + span_y * (1 - (float(value) - low) / ((high - low) or 1))

    return x, y


def _y_ticks(low: float, high: float, y, steps: int = 5):
    values = [low + (high - low) * i / steps for i in range(steps + 1)]
    return [(y(v), f"{v:g}") for v in values]


def _x_ticks(labels: list[str], x, most: int = 10):
    every = max(1, -(-len(labels) // most))
    return [(x(i), label) for i, label in enumerate(labels) if i % every == 0]


def pain_chart(sessions: list[dict]) -> Chart:
    """Pain before and after each session (NPRS 0-10), oldest first."""
    x, y = _scale(0, 10, len(sessions))
    labels = [f"{s['date']:%b %d}" for s in sessions]
    before = Series("Pain before", "before")
    after = Series("Pain after", "after")
    for i, s in enumerate(sessions):
        before.points.append((x(i), y(s["pain_before"]), f"{labels[i]}: before {s['pain_before']}"))
        after.points.append((x(i), y(s["pain_after"]), f"{labels[i]}: after {s['pain_after']}"))
    return Chart(
        "Pain per session (0-10)", [before, after], _y_ticks(0, 10, y), _x_ticks(labels, x)
    )


def measure_chart(label: str, low: float, high: float, points: list[dict]) -> Chart:
    x, y = _scale(low, high, len(points))
    labels = [f"{timezone.localtime(p['taken_at']):%b %d}" for p in points]
    line = Series(label, "measure")
    for i, p in enumerate(points):
        line.points.append((x(i), y(p["score"]), f"{labels[i]}: {p['score']:g}"))
    return Chart(label, [line], _y_ticks(low, high, y), _x_ticks(labels, x))

"""Every set of chart colours stays apart for readers with colour-vision deficiency.

Simulation: Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color vision
deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied in linear sRGB; distance: CIE 1976 ΔE*ab in
CIELAB (D65). ΔE 15 is a conservative floor for telling apart two filled areas side by side.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from wcc_analysis.display import plots

MACHADO_2009 = {
    "normal vision": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
FLOOR = 15.0


def linear_rgb(colour: str) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def cielab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours: tuple[str, ...], vision: str) -> tuple[float, str, str]:
    seen = {c: cielab(MACHADO_2009[vision] @ linear_rgb(c)) for c in colours}
    return min((float(np.linalg.norm(seen[a] - seen[b])), a, b) for a, b in itertools.combinations(colours, 2))


def test_the_simulation_is_the_published_one():
    # white stays white under every simulation (each row sums to 1)
    for matrix in MACHADO_2009.values():
        assert np.allclose(matrix.sum(axis=1), 1.0, atol=1e-5)
    # a green and a magenta ΔE 119.5 apart for normal vision merge for a deuteranope (ΔE 5.8), not for a
    # tritanope (ΔE 122.0)
    green_magenta = ("#1b9e77", "#e7298a")
    assert closest_pair(green_magenta, "normal vision")[0] == pytest.approx(119.5, abs=0.1)
    assert closest_pair(green_magenta, "deuteranopia")[0] == pytest.approx(5.8, abs=0.1)
    assert closest_pair(green_magenta, "tritanopia")[0] == pytest.approx(122.0, abs=0.1)
    # white against black: ΔE 100 exactly
    assert closest_pair(("#ffffff", "#000000"), "normal vision")[0] == pytest.approx(100.0, abs=0.01)


@pytest.mark.parametrize("vision", list(MACHADO_2009))
@pytest.mark.parametrize("palette", list(plots.PALETTES))
def test_every_palette_stays_apart(palette, vision):
    colours = plots.PALETTES[palette]
    assert len(set(colours)) == len(colours), f"{palette}: a colour is used twice"
    distance, a, b = closest_pair(colours, vision)
    assert distance >= FLOOR, f"{palette} under {vision}: {a} and {b} are only ΔE {distance:.1f} apart"


def test_the_old_dark2_criteria_palette_would_have_failed():
    # the palette before this check: Dark2's green and magenta merge for a deuteranope (ΔE 5.8)
    old = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
    assert closest_pair(old, "deuteranopia")[0] < FLOOR

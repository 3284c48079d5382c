"""A page with only the convolution stepper, for timing one step as the fragment does it.

In the browser a step reruns only the stepper's fragment; AppTest reruns
whole scripts, so this script holds just what that fragment runs and records
its time in ``st.session_state["step_times"]``.
"""

import time

import streamlit as st

from filters.presets import PRESETS
from filters.recipe import FilterRecipe, ImageRecipe, sample_source
from filters.walkthrough import convolution_region
from views.loading import decode_sample, filter_result
from views.options import Options
from views.steppers import Stepper, _convolution_step, run_stepper

sample = st.session_state["sample"]
decoded = decode_sample(sample, 512)
recipe = FilterRecipe(
    ImageRecipe(sample_source(sample), 512, False),
    FilterRecipe.kernel_key(PRESETS["vertical_edges"].values),
    1.0,
    "valid",
    "clip",
    "max",
)
result = filter_result(recipe, decoded)
options = Options("valid", "clip", "max", False, 0, True, False)
region = convolution_region(result, (200, 200))
start = time.perf_counter()
run_stepper(Stepper("conv", region.count), _convolution_step, result, options, region)
st.session_state.setdefault("step_times", []).append(time.perf_counter() - start)

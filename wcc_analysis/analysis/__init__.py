"""Analysis: pure functions — DataFrames in, dataclasses and DataFrames out.

No file is read here and nothing is displayed; the modules import only from
:mod:`wcc_analysis.core` and each other (a test enforces it). One module per
analysis: ``population``, ``comparators``, ``needs``, ``priority``, ``blocks``,
``measures``, ``benchmarks``, ``gap``, ``value_for_money``, ``market``, ``suppliers``, ``benefits`` and the
``options`` subpackage (option appraisal).
"""

"""Run: plan the executions, execute them, write the evidence pack, validate it, and the command line."""

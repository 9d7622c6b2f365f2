"""Export book chapters as auto-graded assignments with otter-grader (see ``python -m homework -h``)."""

"""Staff workspace of the AMI: dashboard, submission pages, triage actions, reports."""

"""kubectl-podlife: replay a Kubernetes pod's lifecycle and explain every transition."""

__version__ = "0.1.0"

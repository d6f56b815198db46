"""Lambda behind the front door: control-plane hooks, kept code, Invoke and logs."""

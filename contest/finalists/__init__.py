"""The stage before the final: finalist tasks, forfeits, the sample register."""

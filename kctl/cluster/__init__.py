"""kubeadm-style control-plane node model, release catalog, upgrade plan, phases and backups."""

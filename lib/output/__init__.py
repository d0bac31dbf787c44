"""From rendered objects to files: one YAML per object, kustomizations, and a
``dist/`` that is replaced whole and atomically (or compared, for --check)."""

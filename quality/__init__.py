"""QC gates: inspection plans, AQL sampling, NCRs and corrective actions."""

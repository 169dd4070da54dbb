"""The MLflow model registry as a source of versions and a mirror of the DAO's decisions: `client` speaks its REST
API, `source` resolves `models:/NAME/VERSION` and downloads a version's files, `mirror` moves an alias to follow
what the DAO approved, `webhooks` verifies MLflow's signed deliveries and drafts proposals from them."""

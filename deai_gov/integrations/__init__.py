"""Bridges to where ML teams keep their models: the MLflow model registry (`mlflow`). They drive the workflows
(publish, propose, follow the DAO) for another system's records, and treat that system's answers as hostile input."""

"""The local backend: moto's AWS server, extended so that SageMaker work really runs."""

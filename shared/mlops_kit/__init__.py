"""The SageMaker MLOps workshop kit.

Learner-facing API, small on purpose: the labs' own code is real SageMaker SDK code.
"""

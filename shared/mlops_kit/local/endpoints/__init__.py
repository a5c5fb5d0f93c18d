"""What a SageMaker endpoint does with a request: load the model, run it, capture the traffic.

Pieces without moto: ``model_loader`` (model.tar.gz -> Booster), ``csv_inference`` (the
XGBoost container's answers), ``capture`` (Data Capture records and files),
``deployment`` (what one deployment serves with), ``responses`` (the runtime's error
shapes). ``mlops_kit.local.endpoints.patch`` wires them into the local server.
"""

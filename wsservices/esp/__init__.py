"""ESP conventions: everything about how a real ESP reads requests and writes answers.

The services (wsservices/filespray, wsdfu, packageprocess) only declare models and methods;
routing, SOAP envelopes, error placement, WSDL and the HTML pages live here, once.

Importing this package first makes spyne importable on Python 3.12 and 3.13 (`spynecompat`).
"""
from wsservices.esp import spynecompat

spynecompat.install()

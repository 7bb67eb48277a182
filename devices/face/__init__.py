"""Face match (人证核验): find a face, align it on five points, embed it, compare two faces.

``engine.py`` holds the port (``FaceEngine``) and dlib's driver; ``liveness.py`` judges from
landmarks over several frames that a person, not a photo, is in front of the camera.
"""

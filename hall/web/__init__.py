"""The staff's pages of the hall: login, the fleet, 一表日清 and the big screen (``routes``)."""

from hall.web.routes import PUBLIC_PATHS, router

__all__ = ["PUBLIC_PATHS", "router"]

"""The pages, one router per concept (site, runs, admin, …) and their JSON (data); each route
declares who may call it, as the API's do. ``site.install_pages`` mounts them."""

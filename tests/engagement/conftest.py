"""The engagement app's tests: its portal and hub pages here, each sub-package in its own folder."""

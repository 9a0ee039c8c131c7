"""IIMS gateway: the platform's one public API (两化融合管理体系 咨询服务平台)."""

__version__ = "0.1.0"

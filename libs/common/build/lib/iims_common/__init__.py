"""Shared platform code for IIMS services (两化融合管理体系 咨询与认定服务平台).

Only infrastructure lives here — settings, database, events, errors, pagination, identity,
logging, health and metrics. No domain rules.
"""

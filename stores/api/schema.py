"""How the API key authentication appears in the OpenAPI schema (drf-spectacular loads this in StoresConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "stores.api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`. Each key has a kind (channel, location, carrier, care, head office) "
            "and sees only what its kind and owner allow.",
        }

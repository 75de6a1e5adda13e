role: promoted

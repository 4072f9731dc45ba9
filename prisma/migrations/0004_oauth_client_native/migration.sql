-- Whether an OAuth client is a native app (RFC 8252): only a native app's loopback redirect URIs may
-- differ in port. Kept with the client because a registration's application_type is not in its URIs.

-- AlterTable
ALTER TABLE "OAuthClient" ADD COLUMN "native" BOOLEAN NOT NULL DEFAULT false;

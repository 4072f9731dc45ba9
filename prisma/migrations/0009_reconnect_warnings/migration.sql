-- Which reconnect warning (7 days, then 1 day before reconnectBy) the owner last got, and for which
-- reconnectBy, so the refresh sweep of any instance sends each one once. Neither column is read by
-- a decision or names the credential, so neither trigger on "Connection" watches them.
ALTER TABLE "Connection" ADD COLUMN "reconnectWarnedFor" TIMESTAMP(3);
ALTER TABLE "Connection" ADD COLUMN "reconnectWarnedDays" INTEGER;

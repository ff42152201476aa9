-- Orders sent without a locale were stored as 'en', and 'en' did not outweigh the
-- shipping country. An explicit locale now wins, so "none given" is stored empty; the
-- old 'en' rows keep the country's language, as before.
UPDATE orders SET customer_locale = '' WHERE customer_locale = 'en';

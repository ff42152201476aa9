DROP TABLE request_rates;

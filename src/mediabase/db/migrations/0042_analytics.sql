SELECT 1;  -- placeholder: viewing analytics (issue 15)

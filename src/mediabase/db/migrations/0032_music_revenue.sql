-- 0032_music_revenue: reserved; its owner is writing it.
SELECT 1;

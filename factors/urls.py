"""Skill-model routes under /api/ (legacy paths: no trailing slash). drivers.urls is included first
and owns /drivers/{n}/stats and /results."""

from django.urls import path

from factors import views

urlpatterns = [
    path("drivers", views.DriverListView.as_view(), name="driver-list"),
    path("drivers/find-similar", views.FindSimilarView.as_view(), name="driver-find-similar"),
    path("drivers/<str:number>", views.DriverDetailView.as_view(), name="driver-detail"),
    path("drivers/<str:number>/skill-gaps", views.SkillGapsView.as_view(), name="driver-skill-gaps"),
    path(
        "drivers/<str:number>/coach-recommendations",
        views.CoachRecommendationsView.as_view(),
        name="driver-coach-recommendations",
    ),
    path("drivers/<str:number>/match", views.MatchView.as_view(), name="driver-match"),
    path("drivers/<str:number>/improve/predict", views.ImprovePredictView.as_view(), name="driver-improve-predict"),
    path("factors/<slug:factor>/stats", views.FactorStatsView.as_view(), name="factor-stats"),
    path("factors/<slug:factor>/top-average", views.FactorTopAverageView.as_view(), name="factor-top-average"),
    path("factors/<slug:factor>/breakdown/<str:number>", views.FactorBreakdownView.as_view(), name="factor-breakdown"),
    path(
        "factors/<slug:factor>/comparison/<str:number>", views.FactorComparisonView.as_view(), name="factor-comparison"
    ),
    path("factors/<slug:factor>/coaching/<str:number>", views.FactorCoachingView.as_view(), name="factor-coaching"),
    path("predict", views.PredictView.as_view(), name="predict"),
    path("rankings/projected", views.RankingsProjectedView.as_view(), name="rankings-projected"),
]
